/* err.c — names and messages of the status codes in err.h. */
#include "common/err.h"

const char *sl_err_name(int status)
{
    switch (status) {
#define SL_ERR_NAME_(name, val, msg)                                                               \
    case val:                                                                                      \
        return "SL_" #name;
        SL_ERRNO_MAP(SL_ERR_NAME_)
#undef SL_ERR_NAME_
    }
    return "SL_UNKNOWN";
}

const char *sl_err_msg(int status)
{
    switch (status) {
#define SL_ERR_MSG_(name, val, msg)                                                                \
    case val:                                                                                      \
        return msg;
        SL_ERRNO_MAP(SL_ERR_MSG_)
#undef SL_ERR_MSG_
    }
    return "unknown status";
}
