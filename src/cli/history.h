/* Opening the history for writing as ingest and capture both do: create or check it, count
 * days in its time zone, and find (or add) the sensor. */
#ifndef SCANLENS_HISTORY_H
#define SCANLENS_HISTORY_H

#include "../store/store.h"

/* tz: the zone asked for (NULL: the history's own, UTC for a new one). SL_OK or an error. */
int history_open_writer(store_t **st, const char *db, const char *tz, const char *sensor_name,
                        int64_t *sensor, char *errbuf);

#endif
