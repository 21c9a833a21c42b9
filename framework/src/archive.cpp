#include "ebprop/archive.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "ebprop/error.h"
#include "ebprop/files.h"

namespace ebprop {

namespace {

const char magic[] = "EBPROPA1";

std::uint32_t crc_of(const std::string& bytes, std::size_t length) {
  return static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(length)));
}

}  // namespace

void ByteWriter::u32(std::uint32_t v) {
  for (int i = 0; i < 4; ++i) bytes_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void ByteWriter::u64(std::uint64_t v) {
  for (int i = 0; i < 8; ++i) bytes_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void ByteWriter::i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }

void ByteWriter::f64(double v) {
  std::uint64_t bits;
  std::memcpy(&bits, &v, 8);
  u64(bits);
}

void ByteWriter::text(const std::string& s) {
  u64(s.size());
  bytes_ += s;
}

void ByteWriter::raw(const std::string& s) { bytes_ += s; }

void ByteWriter::f64s(const std::vector<double>& values) {
  u64(values.size());
  for (double v : values) f64(v);
}

ByteReader::ByteReader(const std::string& bytes, std::string what)
    : bytes_(bytes), what_(std::move(what)) {}

void ByteReader::need(std::uint64_t n) {
  if (n > bytes_.size() - pos_) throw FileError(what_ + " is truncated");
}

std::uint32_t ByteReader::u32() {
  need(4);
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes_[pos_ + i])) << (8 * i);
  pos_ += 4;
  return v;
}

std::uint64_t ByteReader::u64() {
  need(8);
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes_[pos_ + i])) << (8 * i);
  pos_ += 8;
  return v;
}

std::int64_t ByteReader::i64() { return static_cast<std::int64_t>(u64()); }

double ByteReader::f64() {
  const std::uint64_t bits = u64();
  double v;
  std::memcpy(&v, &bits, 8);
  return v;
}

std::string ByteReader::text() { return raw(u64()); }

std::string ByteReader::raw(std::uint64_t n) {
  need(n);
  pos_ += n;
  return bytes_.substr(pos_ - n, n);
}

std::vector<double> ByteReader::f64s() {
  const std::uint64_t n = u64();
  // Before allocating: a corrupt count must not ask for gigabytes.
  if (n > (bytes_.size() - pos_) / 8) throw FileError(what_ + " is truncated");
  std::vector<double> values(n);
  for (auto& v : values) v = f64();
  return values;
}

void ByteReader::expect_done() const {
  if (!done())
    throw FileError(what_ + " has " + std::to_string(bytes_.size() - pos_) +
                    " bytes left over (written by another version?)");
}

void Archive::put(const std::string& name, std::string bytes) {
  sections_[name] = std::move(bytes);
}

const std::string& Archive::get(const std::string& name) const {
  const auto it = sections_.find(name);
  if (it == sections_.end())
    throw FileError((path_.empty() ? kind_ : kind_ + " '" + path_ + "'") + " has no section '" +
                    name + "'");
  return it->second;
}

std::string Archive::encode() const {
  ByteWriter out;
  out.raw(std::string(magic, 8));
  out.u32(static_cast<std::uint32_t>(kind_.size()));
  out.raw(kind_);
  out.u32(version_);
  out.u32(static_cast<std::uint32_t>(sections_.size()));
  for (const auto& [name, body] : sections_) {
    out.u32(static_cast<std::uint32_t>(name.size()));
    out.raw(name);
    out.u64(body.size());
    out.raw(body);
  }
  out.u32(crc_of(out.bytes(), out.bytes().size()));
  return out.bytes();
}

void Archive::write(const std::string& path) const { write_file_atomically(path, encode()); }

bool Archive::is_archive(const std::string& bytes) {
  return bytes.size() >= 8 && bytes.compare(0, 8, magic, 8) == 0;
}

std::string read_whole_file(const std::string& path, const std::string& description) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    throw FileError("cannot open " + description + " '" + path + "': " + std::strerror(errno));
  try {  // a directory opens, then fails in the first read
    return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  } catch (const std::ios_base::failure&) {
    throw FileError("cannot read " + description + " '" + path + "': " + std::strerror(errno));
  }
}

Archive Archive::read(const std::string& path, const std::string& kind,
                      const std::string& description) {
  return decode(read_whole_file(path, description), path, kind, description);
}

Archive Archive::decode(const std::string& bytes, const std::string& path, const std::string& kind,
                        const std::string& description) {
  const std::string named = description + " '" + path + "'";
  if (!is_archive(bytes))
    throw FileError("'" + path + "' is not " + description + " (no EBPROPA1 header)");
  if (bytes.size() < 8 + 4 + 4 + 4 + 4) throw FileError(named + " is truncated");
  const std::size_t body = bytes.size() - 4;
  const std::string stored_crc = bytes.substr(body);
  if (ByteReader(stored_crc, named).u32() != crc_of(bytes, body))
    throw FileError(named + " is corrupt (checksum mismatch)");

  const std::string content = bytes.substr(0, body);
  ByteReader fields(content, named);
  fields.raw(8);
  const std::string stored_kind = fields.raw(fields.u32());
  if (stored_kind != kind)
    throw FileError("'" + path + "' is an ebprop " + stored_kind + " file, not " + description);
  Archive archive(stored_kind, fields.u32());
  archive.path_ = path;
  const std::uint32_t count = fields.u32();
  for (std::uint32_t s = 0; s < count; ++s) {
    const std::string name = fields.raw(fields.u32());
    archive.sections_[name] = fields.raw(fields.u64());
  }
  fields.expect_done();
  return archive;
}

}  // namespace ebprop
