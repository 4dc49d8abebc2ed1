/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef HAVE_LIBCURL
#include <curl/curl.h>
#endif

#include "buf.h"
#include "ctl.h"
#include "sig.h"

#ifdef HAVE_LIBCURL
#define SEND_TIMEOUT	30L

static size_t	on_body(char *, size_t, size_t, void *);

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	buf_append((struct buf *)arg, p, size * n);
	return size * n;
}

/* ekahookctl send URL [--key K] [FILE] */
int
ctl_send(int argc, char **argv)
{
	const char		*url = NULL, *key = NULL, *file = NULL;
	char			*body, value[SIG_VALUE_LEN], hdr[SIG_VALUE_LEN + 32];
	size_t			 len;
	struct curl_slist	*headers = NULL;
	CURL			*curl;
	CURLcode		 rc;
	struct buf		 answer;
	long			 status = 0;
	int			 i, ret = 1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
			key = argv[++i];
		else if (url == NULL && argv[i][0] != '-')
			url = argv[i];
		else if (file == NULL && (argv[i][0] != '-' ||
		    strcmp(argv[i], "-") == 0))
			file = argv[i];
		else {
			fprintf(stderr,
			    "usage: ekahookctl send URL [--key K] [FILE]\n");
			return 2;
		}
	}
	if (url == NULL) {
		fprintf(stderr, "usage: ekahookctl send URL [--key K] [FILE]\n");
		return 2;
	}
	if (key == NULL)
		key = getenv("EKAHOOK_SIGNING_KEY");
	if (ctl_read_input(file != NULL ? file : ctl_sample_path(), &body,
	    &len) == -1)
		return 1;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    (curl = curl_easy_init()) == NULL) {
		fprintf(stderr, "ekahookctl: cannot initialise libcurl\n");
		free(body);
		return 1;
	}
	headers = curl_slist_append(headers, "Content-Type: application/json");
	if (key != NULL && *key != '\0') {
		sig_format(key, (long long)time(NULL), body, len, value);
		snprintf(hdr, sizeof(hdr), "Eka-Webhook-Signature: %s", value);
		headers = curl_slist_append(headers, hdr);
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_POST, 1L);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, SEND_TIMEOUT);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	buf_init(&answer);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
	rc = curl_easy_perform(curl);
	if (rc != CURLE_OK)
		fprintf(stderr, "ekahookctl: %s: %s\n", url,
		    curl_easy_strerror(rc));
	else {
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
		printf("%ld\n", status);
		fwrite(answer.data != NULL ? answer.data : "", 1, answer.len,
		    stdout);
		if (answer.len > 0 && answer.data != NULL &&
		    answer.data[answer.len - 1] != '\n')
			putchar('\n');
		ret = status >= 200 && status < 300 ? 0 : 1;
	}
	buf_free(&answer);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	curl_global_cleanup();
	free(body);
	return ret;
}
#else
/* A build without libcurl (configure --without-curl, or none found). */
int
ctl_send(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "ekahookctl: send: this ekahookctl was built "
	    "without libcurl\n");
	return 1;
}
#endif
