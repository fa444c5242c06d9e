"""The I/O-free kernel: types, instruments, events, bus and clocks."""
