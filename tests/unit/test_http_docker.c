/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "resolve/engine.h"
#include "resolve/http.h"
#include "resolve/resolve.h"

static int parse(const char *reply, int *status, char **body_copy)
{
        char *buf = malloc(strlen(reply) + 1), *body;
        size_t len;
        int r;

        strcpy(buf, reply);
        r = http_parse_reply(buf, strlen(buf), status, &body, &len);
        *body_copy = r == 0 ? strndup(body, len) : NULL;
        free(buf);
        return r;
}

TEST(http)
{
        char *body;
        int status;

        CHECK(parse("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"a\":1}", &status, &body) == 0);
        CHECK(status == 200);
        CHECK_STR(body, "{\"a\":1}");
        free(body);

        CHECK(parse("HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "7\r\n{\"mess\"\r\n5\r\n:\"x\"}\r\n0\r\n\r\n",
                    &status, &body) == 0);
        CHECK(status == 404);
        CHECK_STR(body, "{\"mess\":\"x\"}");
        free(body);

        CHECK(parse("HTTP/1.1 200 OK\r\ntransfer-encoding:  Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", &status, &body) == 0);
        CHECK_STR(body, "abc");
        free(body);

        CHECK(parse("HTTP/1.0 200 OK\r\n\r\n", &status, &body) == 0);
        CHECK_STR(body, "");
        free(body);

        CHECK(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffff\r\nab", &status, &body) == -EBADMSG);
        CHECK(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", &status, &body) == -EBADMSG);
        CHECK(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", &status, &body) == -EBADMSG);
        CHECK(parse("SSH-2.0-OpenSSH\r\n\r\n", &status, &body) == -EBADMSG);
        CHECK(parse("HTTP/1.0 200 OK\r\nno end of headers", &status, &body) == -EBADMSG);
        CHECK(parse("HTTP/1.0 9xx OK\r\n\r\n", &status, &body) == -EBADMSG);
}

TEST(docker)
{
        size_t len;
        char *inspect = fixture("docker-inspect-running.json", &len);
        struct candidates c = {};
        char *msg;

        CHECK(docker_parse_inspect(inspect, len, "docker", &c) == 0);
        CHECK(c.n == 1);
        if (c.n == 1) {
                CHECK_STR(c.v[0].runtime, "docker");
                CHECK(strlen(c.v[0].id) == 64);
                CHECK_STR(c.v[0].name, "ccman1");
                CHECK(c.v[0].running && c.v[0].pid > 0);
        }
        candidates_done(&c);
        free(inspect);

        CHECK(docker_parse_inspect("{\"Id\":\"abc\",\"Name\":\"/n\",\"State\":{\"Pid\":0,\"Running\":false}}", 60, "docker", &c) == 0);
        CHECK(c.n == 1 && !c.v[0].running && c.v[0].pid == 0);
        candidates_done(&c);
        /* Running says true but there is no PID: not running. */
        CHECK(docker_parse_inspect("{\"Id\":\"abc\",\"State\":{\"Pid\":0,\"Running\":true}}", 48, "docker", &c) == 0);
        CHECK(c.n == 1 && !c.v[0].running && c.v[0].name == NULL);
        candidates_done(&c);
        CHECK(docker_parse_inspect("{\"Id\":\"abc\",\"State\":{\"Pid\":-5}}", 31, "docker", &c) == -EBADMSG);
        CHECK(docker_parse_inspect("{\"Id\":\"abc\",\"State\":{\"Pid\":99999999999}}", 40, "docker", &c) == -EBADMSG);
        CHECK(docker_parse_inspect("[1,2]", 5, "docker", &c) == -EBADMSG);
        CHECK(docker_parse_inspect("{\"Name\":\"x\"}", 12, "docker", &c) == -EBADMSG);
        CHECK(docker_parse_inspect("{\"Id\":", 6, "docker", &c) == -EBADMSG);
        CHECK(docker_parse_inspect("{\"Id\":\"a\"} trailing", 19, "docker", &c) == 0 || c.n == 0);
        candidates_done(&c);

        const char *list = "[{\"Id\":\"abc1\",\"Names\":[\"/one\"],\"State\":\"running\"},"
                           "{\"Id\":\"abd2\",\"Names\":[\"/two\"],\"State\":\"exited\"},"
                           "{\"Id\":\"abc3\",\"Names\":[],\"State\":\"running\"},"
                           "{\"Names\":[\"/noid\"]}, 7]";
        CHECK(docker_parse_list(list, strlen(list), "docker", "abc", &c) == 0);
        CHECK(c.n == 2);
        if (c.n == 2) {
                CHECK_STR(c.v[0].name, "one");
                CHECK(c.v[0].running);
                CHECK(c.v[1].name == NULL);
        }
        candidates_done(&c);
        CHECK(docker_parse_list(list, strlen(list), "docker", "ab", &c) == 0 && c.n == 3);
        candidates_done(&c);
        CHECK(docker_parse_list("{}", 2, "docker", "a", &c) == -EBADMSG);

        msg = docker_parse_message("{\"message\":\"No such container: x\"}", 34);
        CHECK_STR(msg, "No such container: x");
        free(msg);
        CHECK(docker_parse_message("{\"message\":5}", 13) == NULL);
        CHECK(docker_parse_message("nope", 4) == NULL);
}
