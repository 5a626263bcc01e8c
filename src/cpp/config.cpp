// SPDX-License-Identifier: Apache-2.0
// Configuration: version strings, the process config table behind htcondor.param, reloading.
#include "bindings.h"

#include "condor_config.h"
#include "condor_version.h"
#include "compat_classad.h"
#include "param_info.h"
#include "subsystem_info.h"
#include "classad/classad.h"

#include <variant>
#include <vector>

extern bool should_block_signals;  // dprintf.cpp

namespace htcpb {

namespace {

using ParamValue = std::variant<std::string, long long, bool, double>;

// Read one param, typed by HTCondor's param table as v1 does: INT/LONG -> int, BOOL -> bool,
// DOUBLE -> float, everything else (and unknown names) -> the expanded string.  A value that does
// not convert comes back as its raw text.  Runs under the library lock; touches no Python.
bool read_param(const std::string &name, ParamValue &out) {
    std::string name_used;
    const char *def_value = nullptr;
    const MACRO_META *meta = nullptr;
    const char *raw = param_get_info(name.c_str(), nullptr, nullptr, name_used, &def_value, &meta);
    if (!raw) {
        return false;
    }
    // Type by the name's entry in the param table (items set at run time carry no table id).
    const int id = param_default_get_id(name.c_str(), nullptr);
    const param_info_t_type_t type = id >= 0 ? param_default_type_by_id(id) : PARAM_TYPE_STRING;
    // Expand $(macros) first; typed values may then be ClassAd expressions (MIN(...)).
    std::string expanded;
    const bool has_value = param(expanded, name.c_str());
    const char *text = expanded.c_str();
    switch (has_value ? type : PARAM_TYPE_KVP_TABLE) {
    case PARAM_TYPE_INT:
    case PARAM_TYPE_LONG: {
        long long v = 0;
        if (string_is_long_param(text, v, nullptr, nullptr, name.c_str())) {
            out = v;
            return true;
        }
        break;
    }
    case PARAM_TYPE_BOOL: {
        bool v = false;
        if (string_is_boolean_param(text, v, nullptr, nullptr, name.c_str())) {
            out = v;
            return true;
        }
        break;
    }
    case PARAM_TYPE_DOUBLE: {
        double v = 0;
        if (string_is_double_param(text, v, nullptr, nullptr, name.c_str())) {
            out = v;
            return true;
        }
        break;
    }
    case PARAM_TYPE_STRING:
        out = expanded;
        return true;
    default:
        break;
    }
    // Not convertible (or empty after expansion): the text as written, as v1 returns it.
    out = std::string(has_value ? expanded : std::string(raw));
    return true;
}

py::object to_python(const ParamValue &v) {
    return std::visit([](const auto &x) -> py::object { return py::cast(x); }, v);
}

// Process-wide settings v1 applies after every (re)configuration.
void after_config() {
    // Expression caching shares subexpressions between ads across threads; keep it off as v1 does.
    param_insert("ENABLE_CLASSAD_CACHING", "false");
    classad::ClassAdSetExpressionCaching(false);
}

bool load_config() {
    return config_ex(CONFIG_OPT_NO_EXIT | CONFIG_OPT_WANT_META);
}

}  // namespace

void register_config(py::module_ &m) {
    m.def("version", [] { return std::string(CondorVersion()); });
    m.def("platform", [] { return std::string(CondorPlatform()); });

    m.def("_init_config", [] {
        LibraryLock lock;
        dprintf_make_thread_safe();
        if (!get_mySubSystem()->isValid()) {
            set_mySubSystem("TOOL", false, SUBSYSTEM_TYPE_TOOL);
        }
        const bool ok = load_config();
        after_config();
        // Output stays off until enable_debug()/enable_log(); stop buffering it meanwhile.
        dprintf_pause_buffering();
        return ok;
    });

    m.def("reload_config", [] {
        bool ok;
        {
            LibraryLock lock(true);  // re-reads files: release the GIL
            ok = load_config();
            after_config();
        }
        if (!ok) {
            raise(ErrorKind::IO, "Failed to reload the HTCondor configuration (see CONDOR_CONFIG)");
        }
    });

    // dprintf to stderr at <SUBSYS>_DEBUG / TOOL_DEBUG levels.
    m.def("enable_debug", [] {
        LibraryLock lock;
        dprintf_set_tool_debug(get_mySubSystem()->getName(), nullptr);
    });
    // dprintf to the file <SUBSYS>_LOG.
    m.def("enable_log", [] {
        LibraryLock lock;
        dprintf_config(get_mySubSystem()->getName());
        // dprintf_config makes dprintf block every signal around its writes, for daemons whose
        // signal handlers log.  Python handlers never run inside dprintf, and a write failure
        // unwinds out of dprintf (see dprintf_failure) past the point that unblocks them.
        should_block_signals = false;
    });
    m.def("log", [](int level, const std::string &message) {
        LibraryLock lock;
        dprintf(level, "%s\n", message.c_str());
    }, py::arg("level"), py::arg("msg"));

    m.def("_param_get", [](const std::string &name) -> py::object {
        ParamValue v;
        bool found;
        {
            LibraryLock lock;
            found = read_param(name, v);
        }
        if (!found) {
            throw py::key_error(name);
        }
        return to_python(v);
    });

    m.def("_param_contains", [](const std::string &name) {
        LibraryLock lock;
        std::string unused;
        const char *def_value = nullptr;
        const MACRO_META *meta = nullptr;
        return param_get_info(name.c_str(), nullptr, nullptr, unused, &def_value, &meta) != nullptr;
    });

    m.def("_param_set", [](const std::string &name, const std::string &value) {
        if (name.empty() || !is_valid_param_name(name.c_str())) {
            raise(ErrorKind::Value, "Invalid configuration parameter name: '" + name + "'");
        }
        LibraryLock lock;
        param_insert(name.c_str(), value.c_str());
    });

    m.def("_param_keys", [] {
        std::vector<std::string> keys;
        {
            LibraryLock lock;
            foreach_param(0, [](void *user, HASHITER &it) {
                static_cast<std::vector<std::string> *>(user)->emplace_back(hash_iter_key(it));
                return true;
            }, &keys);
        }
        return keys;
    });
}

}  // namespace htcpb
