// Archive: a versioned, checksummed file of named sections, the container of ebprop's model files
// and checkpoints. Each kind of file ("model", "checkpoint") names its sections and what they
// hold; the archive only keeps them whole and tells a wrong or damaged file from a right one.
//
// Format (little-endian): "EBPROPA1", u32 kind length, the kind, u32 version of the kind, u32
// section count, then per section: u32 name length, the name, u64 byte length, the bytes; then a
// u32 CRC-32 (zlib) of everything before it.
//
// ByteWriter and ByteReader encode the fields inside a section the same way (u32, u64, i64, f64,
// length-prefixed strings), with the file and section named in every error.
//
// OWNERSHIP: an Archive owns its sections' bytes; a ByteReader refers to bytes it does not own,
// which must outlive it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ebprop {

class ByteWriter {
 public:
  void u32(std::uint32_t v);
  void u64(std::uint64_t v);
  void i64(std::int64_t v);
  void f64(double v);                            // bit for bit, NaN payloads included
  void text(const std::string& s);               // u64 length, then the bytes
  void raw(const std::string& s);                // the bytes alone
  void f64s(const std::vector<double>& values);  // u64 count, then the values
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

class ByteReader {
 public:
  // `what` names the bytes in messages ("checkpoint 'run.ckpt', section trainer").
  ByteReader(const std::string& bytes, std::string what);
  std::uint32_t u32();
  std::uint64_t u64();
  std::int64_t i64();
  double f64();
  std::string text();
  std::string raw(std::uint64_t n);  // the next n bytes as they are
  std::vector<double> f64s();
  bool done() const { return pos_ == bytes_.size(); }
  // Throws FileError "WHAT has N bytes left over" unless done(): a section longer than its reader
  // expects is from another version, not a file to half-read.
  void expect_done() const;

 private:
  void need(std::uint64_t n);
  const std::string& bytes_;
  std::string what_;
  std::size_t pos_ = 0;
};

class Archive {
 public:
  Archive(std::string kind, std::uint32_t version) : kind_(std::move(kind)), version_(version) {}

  // Adds or replaces a section.
  void put(const std::string& name, std::string bytes);
  bool has(const std::string& name) const { return sections_.count(name) != 0; }
  // Throws FileError naming the file and the section when it is missing.
  const std::string& get(const std::string& name) const;
  const std::map<std::string, std::string>& sections() const { return sections_; }
  const std::string& kind() const { return kind_; }
  std::uint32_t version() const { return version_; }

  // The whole file's bytes.
  std::string encode() const;
  // Writes atomically (files.h). Throws FileError naming `path`.
  void write(const std::string& path) const;

  // Reads `path`. Throws FileError naming the file when it cannot be read, is not an archive
  // (`description` says what it should be: "an ebprop checkpoint"), is truncated or corrupt
  // (checksum), or is of another kind. The version is returned as stored: the caller refuses
  // those it cannot read.
  static Archive read(const std::string& path, const std::string& kind,
                      const std::string& description);
  // True when `bytes` begin with the archive's magic (to tell an archive from an older format).
  static bool is_archive(const std::string& bytes);
  // Decodes bytes read from `path` (named in messages) as read() does.
  static Archive decode(const std::string& bytes, const std::string& path, const std::string& kind,
                        const std::string& description);
  const std::string& path() const { return path_; }  // the file read from, "" when built

 private:
  std::string kind_;
  std::uint32_t version_;
  std::map<std::string, std::string> sections_;
  std::string path_;
};

// The bytes of a file, for readers. Throws FileError naming the file and errno's text;
// `description` begins the message ("cannot open checkpoint 'x': ...").
std::string read_whole_file(const std::string& path, const std::string& description);

}  // namespace ebprop
