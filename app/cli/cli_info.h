#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace orfeas::cli {

int runInfo(bool json, std::ostream& out);
int runReportMerge(const std::vector<std::string>& folders, const std::string& outputDir, bool json, std::ostream& out,
                   std::ostream& err);
int runModelList(bool json, std::ostream& out);

} // namespace orfeas::cli
