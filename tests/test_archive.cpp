// Archives (archive.h): the container of model files and checkpoints — round trip, and every way a
// file can be damaged or foreign: truncated at any length, a flipped byte, another kind, another
// magic; and the field reader's refusals.
#define BOOST_TEST_MODULE archive
#include <ebprop/archive.h>
#include <ebprop/error.h>

#include <boost/filesystem.hpp>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <limits>

#include "command.h"

using namespace ebprop;
using ebprop::test::contains;

namespace {

// The message of the FileError `f` throws; "no error" when it throws none.
template <typename F>
std::string file_error(F&& f) {
  try {
    f();
  } catch (const FileError& e) {
    return e.what();
  }
  return "no error";
}

Archive sample() {
  Archive archive("model", 3);
  ByteWriter fields;
  fields.u32(7);
  fields.text("h.weight");
  fields.f64s({1.5, -2.25, std::numeric_limits<double>::denorm_min()});
  archive.put("parameters", fields.bytes());
  archive.put("empty", "");
  archive.put("binary", std::string("\0\xff\n", 3));
  return archive;
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_archive_round_trips_through_a_file) {
  const test::Scratch s;
  const std::string path = s.file("a.model");
  const Archive written = sample();
  written.write(path);
  const Archive read = Archive::read(path, "model", "an ebprop model file");
  BOOST_TEST(read.kind() == "model");
  BOOST_TEST(read.version() == 3u);
  BOOST_TEST(read.path() == path);
  BOOST_TEST((read.sections() == written.sections()));
  BOOST_TEST(read.has("empty"));
  BOOST_TEST(!read.has("task"));
  BOOST_TEST(Archive::is_archive(test::slurp(path)));
  BOOST_TEST(!boost::filesystem::exists(path + ".tmp"));

  ByteReader fields(read.get("parameters"), "parameters");
  BOOST_TEST(fields.u32() == 7u);
  BOOST_TEST(fields.text() == "h.weight");
  const std::vector<double> values = fields.f64s();
  BOOST_TEST(
      (values == std::vector<double>{1.5, -2.25, std::numeric_limits<double>::denorm_min()}));
  BOOST_TEST(fields.done());
  fields.expect_done();
}

BOOST_AUTO_TEST_CASE(putting_a_section_again_replaces_it) {
  Archive archive = sample();
  archive.put("empty", "now full");
  BOOST_TEST(archive.sections().size() == 3u);
  const Archive decoded = Archive::decode(archive.encode(), "x", "model", "a model");
  BOOST_TEST(decoded.get("empty") == "now full");
}

BOOST_AUTO_TEST_CASE(every_field_type_round_trips_bit_for_bit) {
  ByteWriter out;
  out.u32(0xdeadbeefu);
  out.u64(0x0123456789abcdefULL);
  out.i64(-5);
  out.f64(-0.0);
  out.f64(std::numeric_limits<double>::quiet_NaN());
  out.text("");
  out.raw("xy");
  ByteReader in(out.bytes(), "fields");
  BOOST_TEST(in.u32() == 0xdeadbeefu);
  BOOST_TEST(in.u64() == 0x0123456789abcdefULL);
  BOOST_TEST(in.i64() == -5);
  const double zero = in.f64();
  BOOST_TEST((zero == 0 && std::signbit(zero)));
  BOOST_TEST(std::isnan(in.f64()));
  BOOST_TEST(in.text() == "");
  BOOST_TEST(in.raw(2) == "xy");
  BOOST_TEST(in.done());
}

BOOST_AUTO_TEST_CASE(an_archive_truncated_at_any_length_is_refused) {
  const std::string bytes = sample().encode();
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    const std::string m = file_error(
        [&] { Archive::decode(bytes.substr(0, length), "t.model", "model", "an ebprop model"); });
    // Shorter than the magic: not an archive at all; longer: truncated, or the checksum (over the
    // bytes that are left) does not match the last four.
    const bool named = contains(m, "'t.model'");
    const bool reason = length < 8
                            ? contains(m, "is not an ebprop model (no EBPROPA1 header)")
                            : contains(m, "is truncated") || contains(m, "checksum mismatch");
    BOOST_TEST((named && reason), "length " << length << ": " << m);
  }
}

BOOST_AUTO_TEST_CASE(a_flipped_byte_anywhere_fails_the_checksum) {
  const std::string bytes = sample().encode();
  for (std::size_t at = 8; at < bytes.size(); ++at) {  // the magic has its own message
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x01);
    const std::string m =
        file_error([&] { Archive::decode(damaged, "f.model", "model", "an ebprop model"); });
    BOOST_TEST(contains(m, "an ebprop model 'f.model' is corrupt (checksum mismatch)"),
               "byte " << at << ": " << m);
  }
}

BOOST_AUTO_TEST_CASE(an_archive_of_another_kind_is_refused_with_both_kinds) {
  Archive checkpoint("checkpoint", 1);
  checkpoint.put("trainer", "state");
  const std::string m = file_error(
      [&] { Archive::decode(checkpoint.encode(), "c.ckpt", "model", "an ebprop model file"); });
  BOOST_TEST(contains(m, "'c.ckpt' is an ebprop checkpoint file, not an ebprop model file"), m);
}

BOOST_AUTO_TEST_CASE(another_magic_is_not_an_archive) {
  std::string bytes = sample().encode();
  bytes[7] = '2';  // EBPROPA2
  BOOST_TEST(!Archive::is_archive(bytes));
  const std::string m =
      file_error([&] { Archive::decode(bytes, "m.model", "model", "an ebprop model file"); });
  BOOST_TEST(contains(m, "'m.model' is not an ebprop model file (no EBPROPA1 header)"), m);
}

BOOST_AUTO_TEST_CASE(a_missing_section_and_a_missing_file_are_named) {
  const test::Scratch s;
  const std::string path = s.file("a.model");
  sample().write(path);
  const Archive read = Archive::read(path, "model", "an ebprop model file");
  BOOST_TEST(contains(file_error([&] { read.get("task"); }),
                      "model '" + path + "' has no section 'task'"));
  const std::string missing = s.file("missing.model");
  const std::string m =
      file_error([&] { Archive::read(missing, "model", "an ebprop model file"); });
  BOOST_TEST(contains(m, "cannot open an ebprop model file '" + missing + "': No such file"), m);
  BOOST_TEST(contains(file_error([&] { Archive::read(s.dir.string(), "model", "a model"); }),
                      "cannot read a model '" + s.dir.string() + "'"));
}

BOOST_AUTO_TEST_CASE(an_unwritable_place_is_named) {
  const std::string m = file_error([] { sample().write("/nonexistent-dir/a.model"); });
  BOOST_TEST(contains(m, "/nonexistent-dir/a.model"), m);
}

BOOST_AUTO_TEST_CASE(the_field_reader_refuses_what_is_not_there) {
  ByteWriter out;
  out.u32(1);
  const std::string four = out.bytes();
  BOOST_TEST(
      contains(file_error([&] { ByteReader(four, "section x").u64(); }), "section x is truncated"));
  BOOST_TEST(contains(file_error([&] { ByteReader(four, "section x").raw(5); }),
                      "section x is truncated"));
  BOOST_TEST(contains(file_error([&] {
                        ByteReader in(four, "section x");
                        in.u32();
                        in.u32();
                      }),
                      "section x is truncated"));
  // A length or count beyond the bytes is truncation, not an allocation of gigabytes.
  ByteWriter huge;
  huge.u64(std::uint64_t{1} << 60);
  BOOST_TEST(contains(file_error([&] { ByteReader(huge.bytes(), "section y").text(); }),
                      "section y is truncated"));
  BOOST_TEST(contains(file_error([&] { ByteReader(huge.bytes(), "section y").f64s(); }),
                      "section y is truncated"));
  BOOST_TEST(contains(file_error([&] { ByteReader(four + "ab", "section z").u32(); }), "no error"));
  BOOST_TEST(contains(file_error([&] {
                        const std::string six = four + "ab";  // outlives the reader
                        ByteReader in(six, "section z");
                        in.u32();
                        in.expect_done();
                      }),
                      "section z has 2 bytes left over"));
}
