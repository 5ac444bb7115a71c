/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>

/* libcurl is loaded at its first use (curl-load.c): true once it is, or
 * false with *ret_err (static text) saying why it cannot be. Safe from
 * any thread. */
bool curl_load(const char **ret_err);
