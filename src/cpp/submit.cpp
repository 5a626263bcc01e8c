// SPDX-License-Identifier: Apache-2.0
// Submit descriptions: libcondor_utils' SubmitHash, queue statements and item data, and the
// job ads a description makes (offline, or sent to a schedd through a queue connection).
// The mapping protocol and argument handling are Python (htcondor/_submit.py).
#include "bindings.h"
#include "submit.h"
#include "py_text.h"
#include "submit_macros.h"

#include "condor_config.h"
#include "condor_version.h"
#include "my_username.h"
#include "proc.h"
#include "submit_utils.h"

#include <algorithm>
#include <set>

namespace htcpb {

namespace {

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
    return s;
}

// "+Foo" is submit-language shorthand for "MY.Foo".
std::string canonical_key(const std::string &key) {
    if (!key.empty() && key[0] == '+') {
        return "MY." + key.substr(1);
    }
    return key;
}

}  // namespace

// Collects the SubmitHash error stack: errors become HTCondorValueError (with the submit
// language's own message), warnings are returned for Python to issue as UserWarning.
void SubmitDescription::check_errors(std::vector<std::string> *warnings) {
    CondorError *stack = hash_.error_stack();
    if (!stack) {
        return;
    }
    std::string errors;
    while (!stack->empty()) {
        const int code = stack->code();
        std::string message = stack->message() ? stack->message() : "";
        while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
            message.pop_back();
        }
        if (!stack->pop()) {
            break;
        }
        if (code) {
            errors += errors.empty() ? message : "\n" + message;
        } else if (warnings && !message.empty()) {
            warnings->push_back(message);
        }
    }
    if (!errors.empty()) {
        raise(ErrorKind::Value, errors);
    }
}

SubmitDescription::SubmitDescription() : source_() {
    LibraryLock lock;
    hash_.init(JSM_PYTHON_BINDINGS);
}

// SubmitHash's destructor leaves its macro table, metadata and string pool allocated (about
// 5 KB a description; v1 leaks it too).  Free them here, before the hash itself goes.
SubmitDescription::~SubmitDescription() {
    LibraryLock lock;  // Python deallocates with the GIL held; this waits without it
    MACRO_SET &set = hash_.macros();
    delete[] set.table;
    delete[] set.metat;
    set.table = nullptr;
    set.metat = nullptr;
    set.size = set.allocation_size = set.sorted = 0;
    set.defaults = nullptr;  // lives in the pool
    set.apool.clear();
    delete[] set.apool.phunks;
    set.apool.phunks = nullptr;
    set.apool.cMaxHunks = 0;
    set.apool.nHunk = 0;
}

void SubmitDescription::parse(const std::string &text) {
    // libcondor_utils' line reader never gets past a NUL byte (it loops forever).
    if (text.find('\0') != std::string::npos) {
        raise(ErrorKind::Value, "Invalid submit description: it contains a NUL character");
    }
    LibraryLock lock;
    text_ = text;
    hash_.insert_source("<PythonString>", source_);
    MacroStreamMemoryFile stream(text_.c_str(), static_cast<ssize_t>(text_.size()), source_);
    std::string errmsg;
    char *qline = nullptr;
    if (hash_.parse_up_to_q_line(stream, errmsg, &qline) != 0) {
        if (errmsg.empty()) {
            errmsg = "the submit description is not valid";  // v1 raised with no message at all
        }
        raise(ErrorKind::Value, "Invalid submit description: " + errmsg);
    }
    if (qline) {
        if (const char *args = SubmitHash::is_queue_statement(qline)) {
            has_queue_ = true;
            qargs_ = args;
            size_t remaining = 0;
            const char *rest = stream.remainder(remaining);
            if (rest && remaining) {
                remainder_.assign(rest, remaining);
            }
        }
    }
}

std::optional<std::string> SubmitDescription::get(const std::string &key) const {
    const std::string k = canonical_key(key);
    if (deleted_.count(upper(k))) {
        return std::nullopt;
    }
    LibraryLock lock;
    const char *value = const_cast<SubmitHash &>(hash_).lookup(k.c_str());
    if (!value) {
        return std::nullopt;
    }
    return std::string(value);
}

void SubmitDescription::set(const std::string &key, const std::string &value) {
    const std::string k = canonical_key(key);
    if (k.empty()) {
        raise(ErrorKind::Value, "submit command names cannot be empty");
    }
    if (k.find('\0') != std::string::npos || value.find('\0') != std::string::npos) {
        raise(ErrorKind::Value, "submit commands and values cannot contain NUL characters");
    }
    LibraryLock lock;
    hash_.set_submit_param(k.c_str(), value.c_str());
    deleted_.erase(upper(k));
}

// SubmitHash cannot remove a key (v1 crashed trying); an empty value has no effect in the
// submit language, and the key is hidden from the mapping until it is set again.
void SubmitDescription::remove(const std::string &key) {
    const std::string k = canonical_key(key);
    if (!get(k)) {
        throw py::key_error(key);
    }
    LibraryLock lock;
    hash_.set_submit_param(k.c_str(), "");
    deleted_.insert(upper(k));
}

std::vector<std::pair<std::string, std::string>> SubmitDescription::items() const {
    LibraryLock lock;
    return items_locked();
}

std::vector<std::pair<std::string, std::string>> SubmitDescription::items_locked() const {
    std::vector<std::pair<std::string, std::string>> out;
    HASHITER it = hash_iter_begin(const_cast<SubmitHash &>(hash_).macros(), HASHITER_NO_DEFAULTS);
    for (; !hash_iter_done(it); hash_iter_next(it)) {
        const char *key = hash_iter_key(it);
        if (deleted_.count(upper(key))) {
            continue;
        }
        const char *value = hash_iter_value(it);
        out.emplace_back(key, value ? value : "");
    }
    return out;
}

// Refuse a description whose macros refer to each other in a cycle: the library would expand
// them for ever (or until the stack overflows).
void SubmitDescription::check_macro_cycles() const {
    if (std::optional<std::string> cycle = macro_cycle(items_locked())) {
        raise(ErrorKind::Value, "Invalid submit description: its macros refer to each other in a cycle (" + *cycle +
                                    "), so they cannot be expanded");
    }
}

std::string SubmitDescription::expand(const std::string &key) const {
    const std::string k = canonical_key(key);
    char *value;
    {
        LibraryLock lock;
        check_macro_cycles();
        value = const_cast<SubmitHash &>(hash_).submit_param(k.c_str());
    }
    if (!value) {
        if (get(key)) {
            return "";  // set to nothing: submit_param gives no value for an empty one
        }
        throw py::key_error(key);  // v1 crashed with a C++ string error here
    }
    std::string out(value);
    free(value);
    return out;
}

void SubmitDescription::set_qargs(const std::string &args) {
    if (args.find('\n') != std::string::npos || args.find('\0') != std::string::npos) {
        raise(ErrorKind::Value, "QArgs cannot contain a newline character");
    }
    std::string a = args;
    if (const char *stripped = SubmitHash::is_queue_statement(a.c_str())) {
        a = stripped;
    } else if (upper(a) == "QUEUE") {
        a.clear();
    }
    if (a != qargs_) {
        remainder_.clear();  // inline items belong to the old statement
    }
    qargs_ = a;
    has_queue_ = !a.empty() || has_queue_;
    if (a.empty()) {
        has_queue_ = false;
    }
}

// The rows of a queue statement: each a list of values, one per variable.
ItemData SubmitDescription::itemdata(const std::string &qargs_override) {
    ItemData out;
    const bool own = qargs_override.empty();
    std::string qargs = own ? qargs_ : qargs_override;
    if (qargs.find('\0') != std::string::npos) {
        raise(ErrorKind::Value, "Invalid queue statement: it contains a NUL character");
    }
    if (const char *stripped = SubmitHash::is_queue_statement(qargs.c_str())) {
        qargs = stripped;
    }
    LibraryLock lock;
    check_macro_cycles();
    SubmitForeachArgs fea;
    std::string errmsg;
    if (hash_.parse_q_args(qargs.c_str(), fea, errmsg) != 0) {
        raise(ErrorKind::Value, "Invalid queue statement: " + errmsg);
    }
    // Inline items after the statement belong to the constructor's queue statement only.
    const std::string inline_items = own ? remainder_ : std::string();
    MacroStreamMemoryFile stream(inline_items.c_str(), static_cast<ssize_t>(inline_items.size()), source_);
    int rv = hash_.load_inline_q_foreach_items(stream, fea, errmsg);
    if (rv == 1) {
        rv = hash_.load_external_q_foreach_items(fea, false, errmsg);
    }
    if (rv < 0) {
        raise(ErrorKind::Value, "Invalid queue statement: " + errmsg);
    }
    out.vars = fea.vars;
    out.count = fea.queue_num;
    for (const std::string &item : fea.items) {
        if (item.find('\x1f') != std::string::npos) {
            out.rows.push_back(split_unit_separated(item, fea.vars.size()));
            continue;
        }
        std::vector<char> buf(item.begin(), item.end());
        buf.push_back('\0');
        std::vector<const char *> values;
        const int n = fea.split_item(buf.data(), values);
        std::vector<std::string> row;
        for (int i = 0; i < static_cast<int>(fea.vars.size()); ++i) {
            row.emplace_back(i < n && values[i] ? values[i] : "");
        }
        out.rows.push_back(std::move(row));
    }
    return out;
}

// An item whose fields are separated by the ASCII unit separator (0x1F), one field per variable
// (missing ones empty, extra ones dropped), each trimmed of blanks.  Done here rather than by
// SubmitForeachArgs::split_item, which in 23.9.6 runs past the end of its variable list when the
// field after the last variable's is empty ("queue x in (a<US>)": it appends until std::bad_alloc).
std::vector<std::string> SubmitDescription::split_unit_separated(const std::string &item, size_t nvars) {
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    std::vector<std::string> row;
    size_t start = 0;
    while (row.size() < nvars) {
        size_t end = item.find('\x1f', start);
        const size_t stop = end == std::string::npos ? item.size() : end;
        size_t a = start, b = stop;
        while (a < b && blank(item[a])) {
            ++a;
        }
        while (b > a && blank(item[b - 1])) {
            --b;
        }
        row.push_back(item.substr(a, b - a));
        if (end == std::string::npos) {
            break;
        }
        start = end + 1;
    }
    row.resize(nvars);
    return row;
}

// Build the job ads of `count` procs per row (no rows: one row, no variables).
// `send` gets each proc ad (and the cluster ad first); with no sender the ads are only built.
int SubmitDescription::make_jobs(const JobPlan &plan, const AdSink &sink) {
    check_macro_cycles();
    // Item values are macros too while their row is expanded ("queue x in ($(arguments))").
    const auto items = items_locked();
    for (const auto &row : plan.rows) {
        if (std::none_of(row.begin(), row.end(), [](const std::string &v) { return v.find('$') != std::string::npos; })) {
            continue;
        }
        auto with_row = items;
        for (size_t i = 0; i < row.size() && i < plan.vars.size(); ++i) {
            with_row.emplace_back(plan.vars[i], row[i]);
        }
        if (std::optional<std::string> cycle = macro_cycle(with_row)) {
            raise(ErrorKind::Value, "Invalid queue item data: with its values the macros refer to each other in a "
                                    "cycle (" + *cycle + "), so they cannot be expanded");
        }
    }
    hash_.setDisableFileChecks(param_boolean_crufty("SUBMIT_SKIP_FILECHECKS", true));
    hash_.setScheddVersion(plan.schedd_version.empty() ? CondorVersion() : plan.schedd_version.c_str());
    std::string owner = plan.owner;
    if (owner.empty()) {
        char *me = my_username();
        owner = me ? me : "unknown";
        free(me);
    }
    if (hash_.init_base_ad(plan.qdate ? plan.qdate : time(nullptr), owner.c_str()) != 0) {
        check_errors(nullptr);
        raise(ErrorKind::Value, "Failed to create the cluster ad from the submit description");
    }
    check_errors(&warnings_);
    // Every variable the rows set exists (empty) before the hash is optimised, as
    // condor_submit does, so $(var) resolves even in a row that leaves it out.
    std::vector<std::string> vars = plan.vars;
    if (vars.empty()) {
        vars.push_back("Item");
    }
    for (const auto &v : vars) {
        hash_.set_live_submit_variable(v.c_str(), "", true);
    }
    // Live variables point into the rows' strings, which die with `plan`: unset them however this
    // function ends (an error in one job ad used to leave them dangling, and the next expand() or
    // items() read freed memory; found by ASan under the hypothesis fuzzer).
    struct UnsetLive {
        SubmitHash &hash;
        const std::vector<std::string> &vars;
        ~UnsetLive() {
            for (const auto &v : vars) {
                hash.unset_live_submit_variable(v.c_str());
            }
        }
    } unset_live{hash_, vars};
    hash_.optimize();

    const int count = plan.count > 0 ? plan.count : 1;
    const size_t rows = plan.rows.empty() ? 1 : plan.rows.size();
    int proc = plan.first_proc;
    int made = 0;
    for (size_t r = 0; r < rows; ++r) {
        if (!plan.rows.empty()) {
            const auto &row = plan.rows[r];
            for (size_t i = 0; i < vars.size(); ++i) {
                if (i < row.size()) {
                    hash_.set_live_submit_variable(vars[i].c_str(), row[i].c_str(), true);
                } else {
                    hash_.unset_live_submit_variable(vars[i].c_str());
                }
            }
        }
        for (int step = 0; step < count; ++step, ++proc, ++made) {
            const int procid = sink.new_proc ? sink.new_proc() : proc;
            if (procid < 0) {
                raise(ErrorKind::IO, "Failed to create a new proc in the schedd");
            }
            JOB_ID_KEY jid(plan.cluster, procid);
            ClassAd *ad = hash_.make_job_ad(jid, static_cast<int>(r), step, false, false, nullptr, nullptr);
            check_errors(&warnings_);
            if (!ad) {
                raise(ErrorKind::Value, "Failed to create the job ad from the submit description");
            }
            if (sink.on_ad) {
                sink.on_ad(*ad, made == 0);
            }
        }
    }
    return made;
}

std::vector<std::string> SubmitDescription::take_warnings() {
    std::vector<std::string> out;
    out.swap(warnings_);
    return out;
}

}  // namespace htcpb

namespace htcpb {

void register_submit(py::module_ &m) {
    py::class_<SubmitDescription>(m, "_Submit")
        .def(py::init<>())
        // Text arguments through utf8_text: a str with no UTF-8 form raises UnicodeEncodeError.
        .def("parse", [](SubmitDescription &self, const py::str &text) { self.parse(utf8_text(text)); })
        .def("get",
             [](const SubmitDescription &self, const py::str &key) -> py::object {
                 std::optional<std::string> value = self.get(utf8_text(key));
                 return value ? py::object(text_out(*value)) : py::none();
             })
        .def("set",
             [](SubmitDescription &self, const py::str &key, const py::str &value) {
                 self.set(utf8_text(key), utf8_text(value));
             })
        .def("remove", [](SubmitDescription &self, const py::str &key) { self.remove(utf8_text(key)); })
        .def("items",
             [](const SubmitDescription &self) {
                 py::list out;
                 for (const auto &[key, value] : self.items()) {
                     out.append(py::make_tuple(text_out(key), text_out(value)));
                 }
                 return out;
             })
        .def("expand",
             [](const SubmitDescription &self, const py::str &key) { return text_out(self.expand(utf8_text(key))); })
        .def_property("qargs", &SubmitDescription::qargs,
                      [](SubmitDescription &self, const py::str &args) { self.set_qargs(utf8_text(args)); })
        .def_property_readonly("has_queue", &SubmitDescription::has_queue)
        .def("itemdata",
             [](SubmitDescription &self, const py::str &qargs, bool raw) {
                 ItemData d = self.itemdata(utf8_text(qargs));
                 // Items may come from any file ("queue x from data.bin"): as str through text_out,
                 // not strict UTF-8; `raw` gives the values as bytes, to hand back to jobs() and
                 // submit() unchanged.
                 py::list vars, rows;
                 for (const std::string &v : d.vars) {
                     vars.append(text_out(v));
                 }
                 for (const auto &row : d.rows) {
                     py::list values;
                     for (const std::string &v : row) {
                         values.append(raw ? py::object(py::bytes(v)) : py::object(text_out(v)));
                     }
                     rows.append(std::move(values));
                 }
                 return py::make_tuple(vars, rows, d.count);
             },
             py::arg("qargs"), py::arg("raw") = false)
        .def_property("submit_method", &SubmitDescription::submit_method, &SubmitDescription::set_submit_method)
        // Offline job ads, as the schedd would get them: (cluster ad, [proc ads]).
        .def("jobs",
             [](SubmitDescription &self, int count, std::vector<std::string> vars,
                std::vector<std::vector<std::string>> rows, int cluster, int proc, long long qdate,
                const std::string &owner, bool flatten) {
                 JobPlan plan;
                 plan.count = count;
                 plan.vars = std::move(vars);
                 plan.rows = std::move(rows);
                 plan.cluster = cluster;
                 plan.first_proc = proc;
                 plan.qdate = qdate;
                 plan.owner = owner;
                 std::vector<std::shared_ptr<classad::ClassAd>> ads;
                 std::shared_ptr<classad::ClassAd> cluster_ad;
                 std::vector<std::string> warnings;
                 {
                     LibraryLock lock;
                     AdSink sink;
                     sink.on_ad = [&](ClassAd &ad, bool) {
                         auto copy = std::make_shared<classad::ClassAd>();
                         if (flatten) {
                             copy->CopyFromChain(ad);
                         } else {
                             copy->CopyFrom(ad);  // the proc's own attributes only
                         }
                         ads.push_back(std::move(copy));
                     };
                     self.make_jobs(plan, sink);
                     if (ClassAd *cad = self.cluster_ad()) {
                         cluster_ad = std::make_shared<classad::ClassAd>(*cad);
                     }
                     warnings = self.take_warnings();
                 }
                 return py::make_tuple(cluster_ad, ads, warnings);
             });
}

}  // namespace htcpb
