// SPDX-License-Identifier: Apache-2.0
// Job event logs: a reader over libcondor_utils' ReadUserLog plus FileModifiedTrigger, and the
// events it returns.  JobEventLog/JobEvent themselves (deadlines, pickling, the mapping
// protocol) are Python, in htcondor/_event_log.py.
#include "bindings.h"
#include "columns.h"
#include "xml_log_guard.h"
#include "py_text.h"

#include "condor_config.h"
#include "condor_event.h"
#include "classad/classad_distribution.h"
#include "file_modified_trigger.h"
#include "read_user_log.h"

#include <pybind11/gil_safe_call_once.h>

#include <chrono>
#include <memory>

namespace htcpb {

namespace {

using AdPtr = std::shared_ptr<classad::ClassAd>;

// JobEventType members by number, so event.type costs an index, not an enum call.
PYBIND11_CONSTINIT py::gil_safe_call_once_and_store<py::list> event_types;

py::object event_type(int number) {
    const py::list &members = event_types
                                  .call_once_and_store_result([] {
                                      py::object cls = py::module_::import("htcondor._enums").attr("JobEventType");
                                      py::list out;
                                      for (int i = 0; i <= ULOG_DATAFLOW_JOB_SKIPPED; ++i) {
                                          out.append(cls(i));
                                      }
                                      return out;
                                  })
                                  .get_stored();
    if (number >= 0 && number < static_cast<int>(py::len(members))) {
        return members[number];
    }
    return py::module_::import("htcondor._enums").attr("JobEventType")(number);
}

// libcondor_utils 23.9.6 copies the ToE ("ticket of execution") ad of a terminated event read
// from an XML or JSON log with ClassAd's copy constructor, which keeps the parent scope of the
// event ad it came from; that ad is freed once the event is read, and formatting the event
// (str(event)) then walks the freed scope (ASan: SEGV in EvalState::SetRootScope; the official
// v1 module crashes the same way).  The copy is detached from it here.
void detach_toe(ULogEvent *event) {
    if (auto *terminated = dynamic_cast<TerminatedEvent *>(event)) {
        if (terminated->toeTag) {
            terminated->toeTag->SetParentScope(nullptr);
        }
    }
}

// One event read from a log.  The ClassAd form is built on first use: many followers only look
// at type, cluster and proc.
class Event {
public:
    explicit Event(ULogEvent *event) : event_(event) { detach_toe(event); }

    int type() const { return static_cast<int>(event_->eventNumber); }
    py::object type_member() const { return event_type(type()); }

    // The event's ClassAd as a Python classad.ClassAd, made once.
    py::object classad_object() {
        if (!ad_object_) {
            ad_object_ = py::cast(ad());
        }
        return ad_object_;
    }
    int cluster() const { return event_->cluster; }
    int proc() const { return event_->proc; }
    long long timestamp() const { return static_cast<long long>(event_->GetEventclock()); }

    AdPtr ad() {
        if (!ad_) {
            classad::ClassAd *raw;
            {
                LibraryLock lock;
                raw = event_->toClassAd(false);
            }
            if (!raw) {
                raise(ErrorKind::Internal, "could not convert the event to a ClassAd");
            }
            ad_.reset(raw);
        }
        return ad_;
    }

    std::string text() {
        std::string out;
        bool ok;
        {
            LibraryLock lock;
            int options = USERLOG_FORMAT_DEFAULT;
            std::string fmt;
            if (param(fmt, "DEFAULT_USERLOG_FORMAT_OPTIONS")) {
                options = ULogEvent::parse_opts(fmt.c_str(), USERLOG_FORMAT_DEFAULT);
            }
            ok = event_->formatEvent(out, options);
        }
        if (!ok) {
            raise(ErrorKind::Internal, "could not format the event");
        }
        return out;
    }

private:
    std::unique_ptr<ULogEvent> event_;
    AdPtr ad_;
    py::object ad_object_;
};

class EventReader {
public:
    explicit EventReader(const std::string &filename) : filename_(filename) {
        LibraryLock lock;
        reader_ = std::make_unique<ReadUserLog>(filename.c_str(), true);
        trigger_ = std::make_shared<FileModifiedTrigger>(filename);
        if (!reader_->isInitialized() || !trigger_->isInitialized()) {
            const int err = errno;
            reader_.reset();
            trigger_.reset();
            raise(ErrorKind::IO, "JobEventLog not initialized for '" + filename + "': " +
                                     (err ? std::string(strerror(err)) : std::string("not a readable event log")));
        }
    }

    ~EventReader() {
        LibraryLock lock;  // the reader's teardown is library code
        reader_.reset();
        trigger_.reset();
    }

    // The next event; None if none arrived within timeout_ms (-1: wait forever, 0: poll).
    py::object read(long long timeout_ms) {
        using clock = std::chrono::steady_clock;
        const auto deadline = clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
        while (true) {
            ULogEvent *event = nullptr;
            ULogEventOutcome outcome;
            {
                // Without the GIL: on a malformed event the library sleeps a second and retries.
                LibraryLock lock(true);
                if (!reader_) {
                    return py::none();  // closed
                }
                check_xml();
                outcome = reader_->readEvent(event);
            }
            switch (outcome) {
            case ULOG_OK:
                return py::cast(std::make_unique<Event>(event));
            case ULOG_NO_EVENT:
                break;
            case ULOG_RD_ERROR:
                delete event;
                raise_read_error();
            case ULOG_MISSED_EVENT:
                delete event;
                raise(ErrorKind::IO, "ULOG_MISSED_EVENT in " + filename_ + ": events were lost");
            default:
                delete event;
                raise(ErrorKind::IO, "ULOG_UNK_ERROR reading " + filename_);
            }
            if (timeout_ms == 0) {
                return py::none();
            }
            // Wait for the file to change (inotify), in slices so Ctrl-C is seen promptly.
            long long slice = 1000;
            if (timeout_ms > 0) {
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
                if (left <= 0) {
                    return py::none();
                }
                slice = std::min<long long>(slice, left);
            }
            std::shared_ptr<FileModifiedTrigger> trigger = trigger_;
            if (!trigger) {
                return py::none();  // closed meanwhile
            }
            int result;
            {
                // The trigger is this reader's own inotify descriptor: no library state, so
                // neither the GIL nor the library lock is held while waiting.
                py::gil_scoped_release nogil;
                result = trigger->wait(static_cast<int>(slice));
            }
            if (PyErr_CheckSignals() != 0) {
                throw py::error_already_set();
            }
            if (result < 0) {
                if (!reader_) {
                    return py::none();
                }
                raise(ErrorKind::IO, "waiting for " + filename_ + " to change failed");
            }
        }
    }

    // Every event already in the log from the current position (no waiting), as columns of
    // the events' ClassAd attributes.
    py::dict columns(const std::vector<std::string> &projection) {
        ColumnBuilder builder(projection);
        while (true) {
            ULogEvent *event = nullptr;
            ULogEventOutcome outcome;
            std::unique_ptr<classad::ClassAd> ad;
            {
                LibraryLock lock(true);
                if (!reader_) {
                    break;
                }
                check_xml();
                outcome = reader_->readEvent(event);
                if (outcome == ULOG_OK) {
                    std::unique_ptr<ULogEvent> owned(event);
                    detach_toe(event);
                    ad.reset(owned->toClassAd(false));
                    if (!ad) {
                        raise(ErrorKind::Internal, "could not convert the event to a ClassAd");
                    }
                }
            }
            if (outcome == ULOG_NO_EVENT) {
                break;
            }
            if (outcome != ULOG_OK) {
                delete event;
                if (outcome == ULOG_RD_ERROR) {
                    raise_read_error();
                }
                raise(ErrorKind::IO, outcome == ULOG_MISSED_EVENT
                                         ? "ULOG_MISSED_EVENT in " + filename_ + ": events were lost"
                                         : "ULOG_UNK_ERROR reading " + filename_);
            }
            py::gil_scoped_release nogil;
            builder.add(*ad);
        }
        return builder.finish();
    }

    // The iterator step of JobEventLog: `deadline` is 0 (wait forever) or an absolute time.
    py::object next(double deadline) {
        long long timeout = -1;
        if (deadline > 0) {
            const double left = deadline - std::chrono::duration<double>(
                                               std::chrono::system_clock::now().time_since_epoch()).count();
            timeout = left > 0 ? static_cast<long long>(left * 1000) : 0;
        }
        py::object event = read(timeout);
        if (event.is_none()) {
            throw py::stop_iteration();
        }
        return event;
    }

    size_t offset() const {
        LibraryLock lock;
        return reader_ ? reader_->getOffset() : 0;
    }

    void set_offset(size_t offset) {
        LibraryLock lock;
        if (reader_) {
            reader_->setOffset(offset);
        }
    }

    void close() {
        LibraryLock lock;
        reader_.reset();
        trigger_.reset();
    }

    bool closed() const { return !reader_; }

private:
    [[noreturn]] void raise_read_error() {
        ReadUserLog::ErrorType type;
        const char *text = nullptr;
        unsigned line = 0;
        size_t offset;
        {
            LibraryLock lock;
            reader_->getErrorInfo(type, text, line);
            offset = reader_->getOffset();
        }
        std::string message = "ULOG_RD_ERROR in file " + filename_ + " at offset " + std::to_string(offset);
        if (text && *text) {
            message += std::string(": ") + text;
        }
        raise(ErrorKind::IO, message);
    }

    // Under the library lock (the guard's state is the reader's).
    void check_xml() {
        std::string bad;
        if (!xml_guard_.scan(filename_, bad)) {
            raise(ErrorKind::IO, "Corrupt XML event log '" + filename_ + "': " + bad +
                                     " (libclassad's XML parser would never return)");
        }
    }

    std::string filename_;
    XmlListGuard xml_guard_;
    std::unique_ptr<ReadUserLog> reader_;
    std::shared_ptr<FileModifiedTrigger> trigger_;  // shared: close() may run during a wait
};

py::list enum_table(std::initializer_list<std::pair<const char *, int>> members) {
    py::list out;
    for (const auto &[name, value] : members) {
        out.append(py::make_tuple(name, value));
    }
    return out;
}

}  // namespace

void register_event_log(py::module_ &m) {
    // JobEvent: a read-only mapping over the event's ClassAd (the Mapping ABC is registered in
    // htcondor/_event_log.py).  In C++ because a follower may read millions of them.
    py::class_<Event>(m, "JobEvent")
        .def_property_readonly("type", &Event::type_member)
        .def_property_readonly("cluster", &Event::cluster)
        .def_property_readonly("proc", &Event::proc)
        .def_property_readonly("timestamp", &Event::timestamp)
        .def("_classad", &Event::classad_object)
        .def("__getitem__", [](Event &e, py::handle key) { return e.classad_object()[key]; })
        .def("__contains__", [](Event &e, py::handle key) { return e.classad_object().contains(key); })
        .def("__len__", [](Event &e) { return py::len(e.classad_object()); })
        .def("__iter__", [](Event &e) { return e.classad_object().attr("__iter__")(); })
        .def("get", [](Event &e, py::handle key, py::object dflt) { return e.classad_object().attr("get")(key, dflt); },
             py::arg("key"), py::arg("default") = py::none())
        .def("keys", [](Event &e) { return py::list(e.classad_object().attr("keys")()); })
        .def("values", [](Event &e) { return py::list(e.classad_object().attr("values")()); })
        .def("items", [](Event &e) { return py::list(e.classad_object().attr("items")()); })
        .def("has_key", [](Event &e, py::handle key) { return e.classad_object().contains(key); })
        .def("iterkeys", [](Event &e) { return e.classad_object().attr("keys")(); })
        .def("itervalues", [](Event &e) { return e.classad_object().attr("values")(); })
        .def("iteritems", [](Event &e) { return e.classad_object().attr("items")(); })
        .def("__str__", [](Event &e) { return text_out(e.text()); })  // never UnicodeDecodeError
        .def("__repr__", [](const Event &e) {
            return "JobEvent(type=" + std::to_string(e.type()) + ", cluster=" + std::to_string(e.cluster()) +
                   ", proc=" + std::to_string(e.proc()) + ", timestamp=" + std::to_string(e.timestamp()) + ")";
        });

    py::class_<EventReader>(m, "_EventReader")
        .def(py::init<const std::string &>(), py::arg("filename"))
        .def("read", &EventReader::read, py::arg("timeout_ms"))
        .def("columns", &EventReader::columns, py::arg("projection"))
        .def("next", &EventReader::next, py::arg("deadline"))
        .def_property("offset", &EventReader::offset, &EventReader::set_offset)
        .def("close", &EventReader::close)
        .def_property_readonly("closed", &EventReader::closed);

    // Enumerations straight from the C++ headers; htcondor/_enums.py makes the Python enums.
    py::dict tables = m.attr("_enum_tables");
    tables["JobEventType"] = enum_table({
        {"SUBMIT", ULOG_SUBMIT}, {"EXECUTE", ULOG_EXECUTE}, {"EXECUTABLE_ERROR", ULOG_EXECUTABLE_ERROR},
        {"CHECKPOINTED", ULOG_CHECKPOINTED}, {"JOB_EVICTED", ULOG_JOB_EVICTED},
        {"JOB_TERMINATED", ULOG_JOB_TERMINATED}, {"IMAGE_SIZE", ULOG_IMAGE_SIZE},
        {"SHADOW_EXCEPTION", ULOG_SHADOW_EXCEPTION}, {"GENERIC", ULOG_GENERIC},
        {"JOB_ABORTED", ULOG_JOB_ABORTED}, {"JOB_SUSPENDED", ULOG_JOB_SUSPENDED},
        {"JOB_UNSUSPENDED", ULOG_JOB_UNSUSPENDED}, {"JOB_HELD", ULOG_JOB_HELD},
        {"JOB_RELEASED", ULOG_JOB_RELEASED}, {"NODE_EXECUTE", ULOG_NODE_EXECUTE},
        {"NODE_TERMINATED", ULOG_NODE_TERMINATED}, {"POST_SCRIPT_TERMINATED", ULOG_POST_SCRIPT_TERMINATED},
        {"GLOBUS_SUBMIT", ULOG_GLOBUS_SUBMIT}, {"GLOBUS_SUBMIT_FAILED", ULOG_GLOBUS_SUBMIT_FAILED},
        {"GLOBUS_RESOURCE_UP", ULOG_GLOBUS_RESOURCE_UP}, {"GLOBUS_RESOURCE_DOWN", ULOG_GLOBUS_RESOURCE_DOWN},
        {"REMOTE_ERROR", ULOG_REMOTE_ERROR}, {"JOB_DISCONNECTED", ULOG_JOB_DISCONNECTED},
        {"JOB_RECONNECTED", ULOG_JOB_RECONNECTED}, {"JOB_RECONNECT_FAILED", ULOG_JOB_RECONNECT_FAILED},
        {"GRID_RESOURCE_UP", ULOG_GRID_RESOURCE_UP}, {"GRID_RESOURCE_DOWN", ULOG_GRID_RESOURCE_DOWN},
        {"GRID_SUBMIT", ULOG_GRID_SUBMIT}, {"JOB_AD_INFORMATION", ULOG_JOB_AD_INFORMATION},
        {"JOB_STATUS_UNKNOWN", ULOG_JOB_STATUS_UNKNOWN}, {"JOB_STATUS_KNOWN", ULOG_JOB_STATUS_KNOWN},
        {"JOB_STAGE_IN", ULOG_JOB_STAGE_IN}, {"JOB_STAGE_OUT", ULOG_JOB_STAGE_OUT},
        {"ATTRIBUTE_UPDATE", ULOG_ATTRIBUTE_UPDATE}, {"PRESKIP", ULOG_PRESKIP},
        {"CLUSTER_SUBMIT", ULOG_CLUSTER_SUBMIT}, {"CLUSTER_REMOVE", ULOG_CLUSTER_REMOVE},
        {"FACTORY_PAUSED", ULOG_FACTORY_PAUSED}, {"FACTORY_RESUMED", ULOG_FACTORY_RESUMED},
        {"NONE", ULOG_NONE}, {"FILE_TRANSFER", ULOG_FILE_TRANSFER}, {"RESERVE_SPACE", ULOG_RESERVE_SPACE},
        {"RELEASE_SPACE", ULOG_RELEASE_SPACE}, {"FILE_COMPLETE", ULOG_FILE_COMPLETE},
        {"FILE_USED", ULOG_FILE_USED}, {"FILE_REMOVED", ULOG_FILE_REMOVED},
    });
    tables["FileTransferEventType"] = enum_table({
        {"IN_QUEUED", FileTransferEvent::IN_QUEUED}, {"IN_STARTED", FileTransferEvent::IN_STARTED},
        {"IN_FINISHED", FileTransferEvent::IN_FINISHED}, {"OUT_QUEUED", FileTransferEvent::OUT_QUEUED},
        {"OUT_STARTED", FileTransferEvent::OUT_STARTED}, {"OUT_FINISHED", FileTransferEvent::OUT_FINISHED},
    });
}

}  // namespace htcpb
