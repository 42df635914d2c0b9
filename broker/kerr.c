/* kerr.c — names and default messages of Kafka error codes. */
#include "broker/kerr.h"

const char *sl_kerr_name(int16_t code)
{
    switch (code) {
#define SL_KERR_NAME_(name, c, msg)                                                                \
    case c:                                                                                        \
        return #name;
        SL_KERR_MAP(SL_KERR_NAME_)
#undef SL_KERR_NAME_
    }
    return "UNKNOWN";
}

const char *sl_kerr_msg(int16_t code)
{
    switch (code) {
#define SL_KERR_MSG_(name, c, msg)                                                                 \
    case c:                                                                                        \
        return msg;
        SL_KERR_MAP(SL_KERR_MSG_)
#undef SL_KERR_MSG_
    }
    return "Unknown error";
}
