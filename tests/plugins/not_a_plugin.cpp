// An ordinary shared library with no ebprop entry point.
extern "C" int not_a_plugin_answer() { return 42; }
