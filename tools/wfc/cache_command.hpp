// `wfc cache ls|show|clear DIR [fn]`: the result cache from outside a run (docs/cache.md).
#pragma once

#include <string>

namespace wf::cli {

// `format`: "table", "csv" or "json" (show only). Returns the exit status.
int cache_ls(const std::string& dir);
int cache_show(const std::string& dir, const std::string& function, const std::string& format);
int cache_clear(const std::string& dir, const std::string& function);

}  // namespace wf::cli
