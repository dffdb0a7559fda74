// Task records as KIE reports them, read leniently into one TaskStatus: Veo's record-info
// (successFlag, response.resultUrls) and the Market's recordInfo (state, resultJson as a string
// or an object). Contract sections 3.2, 4.2 and 11.5.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "providers/provider.hpp"

namespace nc::providers::kie {

// `data` of a Veo record-info answer. successFlag 0: pending; 1: succeeded with its result
// URLs (response.resultUrls, else info.resultUrls); 2 or 3: failed, with errorCode/errorMessage.
// A record that cannot be read (no flag, success without URLs) is a transient error.
TaskStatus read_veo_record(const nlohmann::json& data);

// `data` of a Market recordInfo answer. waiting/queuing/generating: pending; success: the
// resultUrls inside resultJson; fail: failed, with failCode/failMsg.
TaskStatus read_market_record(const nlohmann::json& data);

// http(s) URLs from an array of strings, a string holding a JSON array, or a single URL string.
std::vector<std::string> read_url_list(const nlohmann::json& value);

}  // namespace nc::providers::kie
