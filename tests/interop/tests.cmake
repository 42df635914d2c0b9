# Interop tests: the real sluice-server driven by Kafka clients that other people wrote.
# Included by tests/interop/CMakeLists.txt. Every test gets the build dir and finds
# ${CMAKE_BINARY_DIR}/server/sluice-server itself (or $SLUICE_SERVER).
# Needs: /usr/bin/python3 with python3-confluent-kafka, python3-kafka, python3-snappy,
# python3-lz4, python3-zstandard; kcat; node + `npm ci` in tests/interop/js.
find_program(SL_NODE NAMES node nodejs)
if(NOT SL_NODE)
  set(SL_NODE node)
endif()
set(SL_PY /usr/bin/python3)
set(SL_INTEROP_DIR ${CMAKE_CURRENT_SOURCE_DIR})

add_test(NAME interop.confluent
         COMMAND ${SL_PY} ${SL_INTEROP_DIR}/test_confluent.py ${CMAKE_BINARY_DIR})
add_test(NAME interop.kafka_python
         COMMAND ${SL_PY} ${SL_INTEROP_DIR}/test_kafka_python.py ${CMAKE_BINARY_DIR})
add_test(NAME interop.kafkajs
         COMMAND ${SL_NODE} ${SL_INTEROP_DIR}/js/test_kafkajs.js ${CMAKE_BINARY_DIR})
add_test(NAME interop.kcat
         COMMAND bash ${SL_INTEROP_DIR}/test_kcat.sh ${CMAKE_BINARY_DIR})
add_test(NAME interop.crash
         COMMAND ${SL_PY} ${SL_INTEROP_DIR}/test_crash.py ${CMAKE_BINARY_DIR})
add_test(NAME interop.bad_input
         COMMAND ${SL_PY} ${SL_INTEROP_DIR}/test_bad_input.py ${CMAKE_BINARY_DIR})
add_test(NAME interop.cli COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/test_cli.sh ${CMAKE_BINARY_DIR})

set_tests_properties(interop.confluent interop.kafka_python interop.kafkajs interop.kcat
                     interop.bad_input interop.cli
                     PROPERTIES LABELS interop TIMEOUT 120)
# SIGKILL/restart cycles under load: the one test that is sensitive to a busy machine.
set_tests_properties(interop.crash PROPERTIES LABELS interop TIMEOUT 180 RUN_SERIAL TRUE)

# Consumer groups (issue 3). The share scenarios time how fast partitions move after a member
# leaves or is killed (bounded by the session timeout), so they run alone (RUN_SERIAL).
add_test(NAME interop.groups_confluent
         COMMAND ${SL_PY} ${SL_INTEROP_DIR}/test_groups_confluent.py ${CMAKE_BINARY_DIR})
add_test(NAME interop.groups_kafka_python
         COMMAND ${SL_PY} ${SL_INTEROP_DIR}/test_groups_kafka_python.py ${CMAKE_BINARY_DIR})
add_test(NAME interop.groups_kafkajs
         COMMAND ${SL_NODE} ${SL_INTEROP_DIR}/js/test_groups_kafkajs.js ${CMAKE_BINARY_DIR})
add_test(NAME interop.groups_cli
         COMMAND bash ${SL_INTEROP_DIR}/test_groups_cli.sh ${CMAKE_BINARY_DIR})
set_tests_properties(interop.groups_confluent interop.groups_kafka_python interop.groups_kafkajs
                     PROPERTIES LABELS "interop;groups" TIMEOUT 150 RUN_SERIAL TRUE)
set_tests_properties(interop.groups_cli PROPERTIES LABELS "interop;groups" TIMEOUT 120)

# Schema Registry clients (issue 4): Confluent's and kafkajs' registry clients from npm,
# confluent-kafka-python's SchemaRegistryClient and serdes, and the `sluice schema` CLI, each
# against a server with the registry door (round trips go through the broker).
add_test(NAME interop.registry_confluent_js
         COMMAND ${SL_NODE} ${SL_INTEROP_DIR}/js/test_registry_confluent.js ${CMAKE_BINARY_DIR})
add_test(NAME interop.registry_kafkajs
         COMMAND ${SL_NODE} ${SL_INTEROP_DIR}/js/test_registry_kafkajs.js ${CMAKE_BINARY_DIR})
add_test(NAME interop.registry_python
         COMMAND ${SL_PY} ${SL_INTEROP_DIR}/test_registry_python.py ${CMAKE_BINARY_DIR})
add_test(NAME interop.schema_cli
         COMMAND bash ${SL_INTEROP_DIR}/test_schema_cli.sh ${CMAKE_BINARY_DIR})
set_tests_properties(interop.registry_confluent_js interop.registry_kafkajs
                     interop.registry_python interop.schema_cli
                     PROPERTIES LABELS "interop;registry" TIMEOUT 150)

# Schema enforcement on produce (issue 4): topics with confluent.*.schema.validation, records
# from librdkafka, Confluent's JSONSerializer and raw Produce v8/v9 against a server with the
# registry door; plus a --no-registry server refusing validated topics.
add_test(NAME interop.enforce
         COMMAND ${SL_PY} ${SL_INTEROP_DIR}/test_enforce.py ${CMAKE_BINARY_DIR})
set_tests_properties(interop.enforce PROPERTIES LABELS "interop;registry" TIMEOUT 120)

# Schema Registry REST door (issue 4): every endpoint, error codes, bad input, restart / kill -9
# durability, ids never reused, _schemas record layout. Restarts the server several times.
add_test(NAME interop.registry_rest
         COMMAND ${SL_PY} ${SL_INTEROP_DIR}/test_registry_rest.py ${CMAKE_BINARY_DIR})
set_tests_properties(interop.registry_rest PROPERTIES LABELS "interop;registry" TIMEOUT 180)
