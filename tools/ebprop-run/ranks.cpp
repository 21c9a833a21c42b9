#include "ranks.h"

#include <algorithm>
#include <iostream>
#include <map>
#include <sstream>

namespace ebprop::run {

RanksStopped::RanksStopped(int status) : std::runtime_error("the ranks stopped"), status_(status) {}
RanksStopped::~RanksStopped() = default;

namespace {

// "1, 3" for ranks {1, 3}.
std::string rank_list(const std::vector<int>& ranks) {
  std::string text;
  for (int r : ranks) text += (text.empty() ? "" : ", ") + std::to_string(r);
  return text;
}

std::string ranks_word(const std::vector<int>& ranks) {
  return (ranks.size() == 1 ? "rank " : "ranks ") + rank_list(ranks);
}

// "key: value" lines as a map.
std::map<std::string, std::string> fact_map(const std::string& text) {
  std::map<std::string, std::string> facts;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const std::size_t colon = line.find(": ");
    facts[line.substr(0, colon)] = colon == std::string::npos ? "" : line.substr(colon + 2);
  }
  return facts;
}

// What rank `r`'s facts say where rank 0's say otherwise (at most three items).
std::string differences(const std::map<std::string, std::string>& first,
                        const std::map<std::string, std::string>& other, int r) {
  std::vector<std::string> items;
  const auto value = [](const std::map<std::string, std::string>& m, const std::string& key) {
    const auto it = m.find(key);
    return it == m.end() ? std::string("nothing") : "'" + it->second + "'";
  };
  std::map<std::string, std::string> keys = first;
  keys.insert(other.begin(), other.end());
  for (const auto& entry : keys) {
    const std::string a = value(first, entry.first), b = value(other, entry.first);
    if (a != b && items.size() < 3)
      items.push_back(entry.first + ": " + b + " on rank " + std::to_string(r) + ", " + a +
                      " on rank 0");
  }
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : "; ") + item;
  return text;
}

// Every rank's start message decided the same way on every rank: 0 to start, else the status
// every rank ends with (rank 0 prints why).
int settle(const std::vector<std::string>& messages, bool print) {
  std::map<std::string, std::vector<int>> errors;  // message → ranks
  std::vector<int> ended;
  std::size_t ready = 0;
  int status = 0;
  for (int r = 0; r < static_cast<int>(messages.size()); ++r) {
    const std::string& m = messages[r];
    if (m[0] == 'F') {
      ++ready;
    } else {
      const std::size_t newline = m.find('\n');
      const int s = std::stoi(m.substr(1, newline - 1));
      status = std::max(status, s);
      if (m[0] == 'E')
        errors[m.substr(newline + 1)].push_back(r);
      else
        ended.push_back(r);
    }
  }
  if (ready == messages.size()) {
    const auto first = fact_map(messages[0].substr(1));
    std::vector<std::string> disagreements;
    for (std::size_t r = 1; r < messages.size(); ++r)
      if (messages[r] != messages[0])
        disagreements.push_back(differences(first, fact_map(messages[r].substr(1)), r));
    if (disagreements.empty()) return 0;
    if (print)
      std::cerr << "ebprop-run: error: the ranks disagree (every rank must run the same graph, "
                   "settings, data and weights): "
                << disagreements.front()
                << (disagreements.size() > 1
                        ? " (and " + std::to_string(disagreements.size() - 1) + " more ranks)"
                        : "")
                << "\n";
    return 1;
  }
  if (print) {
    for (const auto& [message, ranks] : errors)
      std::cerr << "ebprop-run: "
                << (ranks.size() == messages.size()
                        ? ""
                        : ranks_word(ranks) + " of " + std::to_string(messages.size()) + ": ")
                << message << "\n";
    if (!ended.empty() && ended.size() != messages.size())
      std::cerr << "ebprop-run: error: " << ranks_word(ended)
                << " ended before training while the others did not: give every rank the "
                   "same command line\n";
  }
  return ended.size() == messages.size() ? status : std::max(status, 1);
}

}  // namespace

std::vector<std::string> Ranks::gather(const std::string& message) {
  std::vector<std::string> all;
  for (const Bytes& b : world_.all_gather(Bytes(message.begin(), message.end())))
    all.emplace_back(b.begin(), b.end());
  return all;
}

void Ranks::agree(const std::vector<std::string>& facts) {
  std::string message = "F";
  for (const std::string& f : facts) message += f + "\n";
  agreed_ = true;
  const int status = settle(gather(message), primary());
  if (status != 0) throw RanksStopped(status);
}

int Ranks::end_before_agreement(int status, const std::string& message) {
  agreed_ = true;
  const std::string kind = message.empty() ? "D" : "E";
  return settle(gather(kind + std::to_string(status) + "\n" + message), primary());
}

}  // namespace ebprop::run
