/* libsystemd's sd-bus, opened on first use (see sd-bus-dl.c). */
#ifndef BERTH_SD_BUS_DL_H
#define BERTH_SD_BUS_DL_H

/* NULL when libsystemd is loaded, else why it could not be ("libsystemd.so.0: cannot open …") */
const char *sd_bus_dl_error (void);

#endif
