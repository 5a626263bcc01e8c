/* Preloaded into the fuzzing process only (tests/fuzz/atheris_harness.py): libcondor_utils'
 * event-log reader sleeps one second before retrying a malformed event (read_user_log.cpp),
 * which would make a fuzzer that feeds it malformed events run at one input per second. */
unsigned int sleep(unsigned int seconds) {
    (void)seconds;
    return 0;
}
