/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What became of one attempt to deliver a message, for the outbox
 * (casewatchd(8), DELIVERY): accepted, try again later, or never. */
enum delivery {
	DELIVERY_SENT,  /* the server accepted it */
	DELIVERY_RETRY, /* a temporary failure: 4xx, a transport error, a timeout */
	DELIVERY_DEAD,  /* a permanent refusal: 5xx, a 4xx other than 408/429 */
};
