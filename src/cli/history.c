/* The shared first steps of the commands that write the history. */
#include "history.h"

#include "../util/dayclock.h"
#include "../util/error.h"

int history_open_writer(store_t **st, const char *db, const char *tz, const char *sensor_name,
                        int64_t *sensor, char *errbuf)
{
    struct store_open_options so = {.time_zone = tz, .read_only = false};
    int rc = store_open(st, db, &so, errbuf);
    if (rc == SL_OK) rc = dayclock_set_zone((*st)->ops->time_zone(*st), errbuf);
    if (rc == SL_OK) rc = store_sensor(*st, sensor_name, true, sensor, errbuf);
    if (rc != SL_OK) {
        store_close(*st);
        *st = NULL;
    }
    return rc;
}
