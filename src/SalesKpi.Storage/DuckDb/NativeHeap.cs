using System.Runtime.InteropServices;

namespace SalesKpi.Storage.DuckDb;

/// <summary>
/// The C library's heap in the process the engine runs in. DuckDB takes its buffers from its own allocator, but part of
/// a query's working memory comes from the C library: the value lists of a percentile per group, for one. glibc serves
/// allocations above 128 KB to 32 MB from fresh mappings and hands freed memory back to the system, so each query
/// faults those pages in again. Where a page fault is dear (a virtual machine), a warm response-time view at 1 M leads
/// took 116 ms that way and 81–85 ms with the pages kept (docs/benchmarks.md, tenth step).
/// </summary>
public static partial class NativeHeap
{
    // glibc's malloc.h.
    private const int TrimThreshold = -1;
    private const int MmapThreshold = -3;

    // The most glibc raises the mapping threshold to by itself, and half of a secondary heap (64 MB): larger
    // allocations keep their own mappings.
    private const int HeapAllocationLimit = 32 * 1024 * 1024;

    // Freed memory glibc keeps at the top of its main heap before giving it back; a secondary heap is smaller.
    private const int KeptFreeMemory = 512 * 1024 * 1024;

    /// <summary>
    /// On Linux, has glibc serve allocations up to 32 MB from its heaps and keep freed memory (up to 512 MB at the top
    /// of its main heap), so that the next query reuses pages already mapped. Peak memory rises (at 10 M leads, a
    /// report's from about 0.65 to 0.75 GB), and what a query freed stays with the process: worth it for a server,
    /// whose queries repeat, not for a one-off command, whose pages are new anyway. Process-wide: a host calls it
    /// once at start, before the engine runs. Returns true when the C library took both settings; false, changing
    /// nothing, elsewhere (Windows, macOS) or where there is no glibc (musl).
    /// </summary>
    public static bool KeepFreedMemory()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return Mallopt(MmapThreshold, HeapAllocationLimit) == 1 && Mallopt(TrimThreshold, KeptFreeMemory) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    // glibc's own file name: "libc" alone is first looked for as libc.so, a linker script where headers are installed.
    [LibraryImport("libc.so.6", EntryPoint = "mallopt")]
    private static partial int Mallopt(int param, int value);
}
