// SPDX-License-Identifier: Apache-2.0
// The benchmarks' floor: the work of some of benchmarks/run.py's cases done by a small C++
// program straight on libcondor_utils/libclassad, with no Python in the way.
//
//   floor parse  ADSFILE            parse every new-syntax ad of the file, count them
//   floor eval   ADSFILE N EXPR     evaluate EXPR over the first N ads of the file, count the true ones
//   floor events LOGFILE            read every event of a job event log, count them
//   floor query  CONSTRAINT N ATTR...  query the local schedd (limit N, projection ATTR...)
//
// Each prints one JSON line: {"count": ..., "elapsed": seconds, "maxrss_kb": ...}, the time
// measured around the work only (not process startup, library loading, configuration or reading
// the input file).  Built by benchmarks/run.py (see build_floor there).
#include "condor_common.h"

#include "classad/classad_distribution.h"
#include "condor_config.h"
#include "condor_event.h"
#include "condor_q.h"
#include "daemon.h"
#include "daemon_types.h"
#include "read_user_log.h"
#include "subsystem_info.h"

#include <sys/resource.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const std::string &why) {
    std::fprintf(stderr, "floor: %s\n", why.c_str());
    std::exit(1);
}

std::string slurp(const char *path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        die(std::string("cannot read ") + path);
    }
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

bool blank_from(const std::string &text, size_t from) {
    for (size_t i = from; i < text.size(); ++i) {
        if (!std::isspace(static_cast<unsigned char>(text[i]))) {
            return false;
        }
    }
    return true;
}

void report(long long count, Clock::time_point start) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("{\"count\": %lld, \"elapsed\": %.9f, \"maxrss_kb\": %ld}\n", count, elapsed, ru.ru_maxrss);
}

// A tool's configuration (CONDOR_CONFIG), as the bindings load it at import, with their
// process-wide settings: no ClassAd expression caching (as v1; the CLI tools cache by default,
// which makes receiving ads slower), dprintf output not buffered.
void configure() {
    set_mySubSystem("TOOL", false, SUBSYSTEM_TYPE_TOOL);
    if (!config_ex(CONFIG_OPT_NO_EXIT)) {
        die("could not read the HTCondor configuration");
    }
    param_insert("ENABLE_CLASSAD_CACHING", "false");
    classad::ClassAdSetExpressionCaching(false);
    dprintf_pause_buffering();
}

// Ads one after another from a text of new-syntax ads, each a fresh ClassAd, as parseAds yields
// them; `keep` collects them (eval) or they are dropped at once (parse).
long long parse_all(const std::string &text, std::vector<std::unique_ptr<classad::ClassAd>> *keep, long long limit) {
    classad::ClassAdParser parser;
    long long count = 0;
    int pos = 0;
    while ((limit < 0 || count < limit) && !blank_from(text, static_cast<size_t>(pos))) {
        auto ad = std::make_unique<classad::ClassAd>();
        if (!parser.ParseClassAd(text.c_str(), *ad, pos)) {
            die("parse error at offset " + std::to_string(pos));
        }
        ++count;
        if (keep) {
            keep->push_back(std::move(ad));
        }
    }
    return count;
}

int cmd_parse(int argc, char **argv) {
    if (argc != 1) {
        die("usage: floor parse ADSFILE");
    }
    const std::string text = slurp(argv[0]);
    const auto start = Clock::now();
    const long long count = parse_all(text, nullptr, -1);
    report(count, start);
    return 0;
}

int cmd_eval(int argc, char **argv) {
    if (argc != 3) {
        die("usage: floor eval ADSFILE N EXPR");
    }
    const std::string text = slurp(argv[0]);
    const long long n = std::stoll(argv[1]);
    std::vector<std::unique_ptr<classad::ClassAd>> ads;
    parse_all(text, &ads, n);
    classad::ClassAdParser parser;
    std::unique_ptr<classad::ExprTree> req(parser.ParseExpression(argv[2], true));
    if (!req) {
        die("cannot parse the expression");
    }
    const auto start = Clock::now();
    long long hits = 0;
    for (const auto &ad : ads) {
        // As ExprTree.eval(ad): the expression evaluated in the ad's scope, then "is True".
        req->SetParentScope(ad.get());
        classad::Value value;
        bool truth = false;
        if (req->Evaluate(value) && value.IsBooleanValue(truth) && truth) {
            ++hits;
        }
    }
    req->SetParentScope(nullptr);
    report(hits, start);
    std::fprintf(stderr, "evaluated %zu ads\n", ads.size());
    return 0;
}

int cmd_events(int argc, char **argv) {
    if (argc != 1) {
        die("usage: floor events LOGFILE");
    }
    configure();
    const auto start = Clock::now();
    ReadUserLog reader(argv[0], true);
    if (!reader.isInitialized()) {
        die(std::string("cannot open the event log ") + argv[0]);
    }
    long long count = 0;
    long long touched = 0;
    while (true) {
        ULogEvent *event = nullptr;
        const ULogEventOutcome outcome = reader.readEvent(event);
        if (outcome != ULOG_OK) {
            delete event;
            if (outcome != ULOG_NO_EVENT) {
                die("read error after " + std::to_string(count) + " events (outcome " + std::to_string(outcome) + ")");
            }
            break;
        }
        // As the benchmark does: look at each event's type and cluster.
        touched += event->eventNumber + event->cluster;
        delete event;
        ++count;
    }
    report(count, start);
    std::fprintf(stderr, "checksum %lld\n", touched);
    return 0;
}

bool keep_ad(void *data, ClassAd *ad) {
    static_cast<std::vector<std::unique_ptr<ClassAd>> *>(data)->emplace_back(ad);
    return false;  // we own it now
}

int cmd_query(int argc, char **argv) {
    if (argc < 2) {
        die("usage: floor query CONSTRAINT N ATTR...");
    }
    configure();
    const std::string constraint = argv[0];
    const int limit = std::stoi(argv[1]);
    std::vector<std::string> projection(argv + 2, argv + argc);
    std::string address;
    {
        // Locating the schedd is setup, as htcondor.Schedd() is in the benchmark.
        Daemon schedd(DT_SCHEDD, nullptr, nullptr);
        if (!schedd.locate() || !schedd.addr()) {
            die(std::string("cannot locate the schedd: ") + (schedd.error() ? schedd.error() : "?"));
        }
        address = schedd.addr();
    }
    const auto start = Clock::now();
    std::vector<std::unique_ptr<ClassAd>> ads;
    CondorQ q;
    q.init();
    q.requestServerTime(true);
    if (q.addAND(constraint.c_str()) != Q_OK) {
        die("invalid constraint");
    }
    CondorError err;
    ClassAd *summary = nullptr;
    const int rv = q.fetchQueueFromHostAndProcess(address.c_str(), projection, 0, limit, keep_ad, &ads, 2, &err,
                                                  &summary);
    delete summary;
    if (rv != Q_OK) {
        die("query failed (" + std::to_string(rv) + "): " + err.getFullText());
    }
    report(static_cast<long long>(ads.size()), start);
    return 0;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc < 2) {
        die("usage: floor parse|eval|events|query ARGS...");
    }
    const std::string cmd = argv[1];
    classad::ClassAdSetExpressionCaching(false);  // as the bindings (see configure)
    if (cmd == "parse") {
        return cmd_parse(argc - 2, argv + 2);
    }
    if (cmd == "eval") {
        return cmd_eval(argc - 2, argv + 2);
    }
    if (cmd == "events") {
        return cmd_events(argc - 2, argv + 2);
    }
    if (cmd == "query") {
        return cmd_query(argc - 2, argv + 2);
    }
    die("unknown subcommand " + cmd);
}
