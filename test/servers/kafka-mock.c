/* librdkafka's mock Kafka cluster for tests. Usage: kafka-mock <brokers> [topic:partitions | topic:missing]...
 * The mock creates unknown topics on any metadata request; `topic:missing` makes it answer
 * UNKNOWN_TOPIC_OR_PART for that name instead, as a broker with auto.create.topics.enable=false does.
 * Prints the bootstrap servers on one line, then runs until SIGTERM/SIGINT or until stdin closes
 * (so a crashed test run never leaves it behind). */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *watch_stdin(void *arg) {
  char buf[64];
  (void)arg;
  while (read(0, buf, sizeof buf) > 0) {
  }
  kill(getpid(), SIGTERM);
  return NULL;
}

int main(int argc, char **argv) {
  sigset_t set;
  int sig = 0;
  char errstr[512];
  pthread_t watcher;
  /* Block the signals before librdkafka starts its threads, so only sigwait below receives them. */
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL);

  int brokers = argc > 1 ? atoi(argv[1]) : 1;
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof errstr);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) {
    fprintf(stderr, "rd_kafka_new: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers < 1 ? 1 : brokers);
  if (!mc) {
    fprintf(stderr, "rd_kafka_mock_cluster_new failed\n");
    return 1;
  }
  for (int i = 2; i < argc; i++) {
    char *spec = strdup(argv[i]);
    char *colon = strrchr(spec, ':');
    int partitions = 1;
    if (colon) {
      *colon = '\0';
      if (strcmp(colon + 1, "missing") == 0) {
        rd_kafka_mock_topic_set_error(mc, spec, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
        free(spec);
        continue;
      }
      partitions = atoi(colon + 1);
    }
    if (rd_kafka_mock_topic_create(mc, spec, partitions, 1) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      fprintf(stderr, "cannot create topic %s\n", spec);
      return 1;
    }
    free(spec);
  }
  printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
  fflush(stdout);

  pthread_create(&watcher, NULL, watch_stdin, NULL);
  pthread_detach(watcher);
  sigwait(&set, &sig);
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}
