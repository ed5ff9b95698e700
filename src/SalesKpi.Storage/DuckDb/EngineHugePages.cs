using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SalesKpi.Storage.DuckDb;

/// <summary>
/// Transparent huge pages for the engine's own memory. DuckDB's Linux builds take their buffers, hash tables and
/// blocks read from a bundled jemalloc, which maps memory in large extents but is built without asking the kernel for
/// huge pages. Where the kernel gives them only on request (<c>transparent_hugepage=madvise</c>, the usual setting),
/// each 4 KB page is then faulted in on first touch: on a virtual machine about 2.8 ms per MB, against 0.2 ms per MB in
/// 2 MB pages (docs/benchmarks.md, eleventh step). <see cref="Advise"/> gives each of jemalloc's arenas extent hooks
/// that are its defaults but for one step: every new extent of 2 MB or more is marked <c>MADV_HUGEPAGE</c>.
/// </summary>
/// <remarks>
/// Worth it for a one-off command, whose memory is all first touches: a 1 M-lead report as a process went from 34,000
/// to 17,500 page faults. A server reuses its pages and gained nothing measurable, and a large import peaked about
/// 5 % higher, so hosts choose where to call it. Results do not depend on it: only where the kernel places memory.
/// </remarks>
public static unsafe class EngineHugePages
{
    // jemalloc 5's extent_hooks_t: alloc, dalloc, destroy, commit, decommit, purge_lazy, purge_forced, split, merge.
    private const int HookCount = 9;
    private const int AllocHook = 0;
    private const int DallocHook = 1;

    // linux/mman.h; the smallest extent worth a huge page is one huge page (x86-64 and arm64 with 4 KB pages).
    private const int MadvHugePage = 14;
    private const nuint HugePage = 2 * 1024 * 1024;

    private static readonly Lock Gate = new();
    private static delegate* unmanaged[Cdecl]<nint, nint, nuint, nuint, byte*, byte*, uint, nint> defaultAlloc;
    private static delegate* unmanaged[Cdecl]<nint, nuint, int, int> madvise;
    private static long advisedBytes;
    private static bool installed;

    /// <summary>Bytes of new engine memory marked for huge pages since <see cref="Advise"/>; 0 before it or where it had no effect.</summary>
    public static long AdvisedBytes => Interlocked.Read(ref advisedBytes);

    /// <summary>
    /// On Linux, with the DuckDB library's bundled jemalloc, marks every extent of 2 MB or more that jemalloc maps from
    /// now on for transparent huge pages, for the rest of the process. Returns true when the hooks are in place (also
    /// on a second call, which changes nothing); false, changing nothing, elsewhere (Windows, macOS, a DuckDB build
    /// without jemalloc). Whether the kernel then gives huge pages is its setting: none under
    /// <c>transparent_hugepage=never</c>. Memory mapped before the call keeps its pages.
    /// </summary>
    public static bool Advise()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        lock (Gate)
        {
            if (installed)
            {
                return true;
            }

            // The same probing as DuckDB.NET's own import of "duckdb", so the same library (already loaded or not).
            // Both functions are looked up now: the hook runs on the engine's threads, where nothing may throw.
            if (!NativeLibrary.TryLoad("duckdb", typeof(DuckDB.NET.Data.DuckDBConnection).Assembly, null, out var duckdb)
                || !NativeLibrary.TryGetExport(duckdb, "duckdb_je_mallctl", out var export)
                || !NativeLibrary.TryLoad("libc.so.6", out var libc)
                || !NativeLibrary.TryGetExport(libc, "madvise", out var advise))
            {
                return false;
            }

            madvise = (delegate* unmanaged[Cdecl]<nint, nuint, int, int>)advise;

            var mallctl = (delegate* unmanaged[Cdecl]<byte*, void*, nuint*, void*, nuint, int>)export;
            uint arenas;
            var size = (nuint)sizeof(uint);
            if (Control(mallctl, "arenas.narenas", &arenas, &size, null, 0) != 0)
            {
                return false;
            }

            // One table for every arena, never freed: jemalloc keeps the pointer for the life of the process.
            var hooks = (nint*)NativeMemory.AllocZeroed(HookCount, (nuint)sizeof(nint));
            var any = false;
            for (var i = 0u; i < arenas; i++)
            {
                var name = FormattableString.Invariant($"arena.{i}.extent_hooks");
                nint current;
                size = (nuint)sizeof(nint);
                if (Control(mallctl, name, &current, &size, null, 0) != 0)
                {
                    continue;
                }

                if (!any)
                {
                    Buffer.MemoryCopy((void*)current, hooks, HookCount * sizeof(nint), HookCount * sizeof(nint));
                    defaultAlloc = (delegate* unmanaged[Cdecl]<nint, nint, nuint, nuint, byte*, byte*, uint, nint>)hooks[AllocHook];

                    // jemalloc retains what the default hooks would unmap; a table of its own must say so by having no
                    // dalloc, or freed extents would be unmapped and mapped again.
                    hooks[DallocHook] = 0;
                    hooks[AllocHook] = (nint)(delegate* unmanaged[Cdecl]<nint, nint, nuint, nuint, byte*, byte*, uint, nint>)&Alloc;
                }

                // Arenas not yet used are created with the table as a side effect; the huge-allocation arena (for single
                // allocations above 256 MB) exists only once used, and keeps the defaults.
                var table = (nint)hooks;
                any |= Control(mallctl, name, null, null, &table, (nuint)sizeof(nint)) == 0;
            }

            installed = any;
            return any;
        }
    }

    private static int Control(delegate* unmanaged[Cdecl]<byte*, void*, nuint*, void*, nuint, int> mallctl, string name, void* old, nuint* oldSize, void* value, nuint valueSize)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(name + "\0");
        fixed (byte* text = bytes)
        {
            return mallctl(text, old, oldSize, value, valueSize);
        }
    }

    // Called by jemalloc on the engine's threads when it maps new memory (a few dozen times in a 1 M-lead report); it
    // calls only native functions, so it cannot throw.
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint Alloc(nint hooks, nint address, nuint size, nuint alignment, byte* zero, byte* commit, uint arena)
    {
        var memory = defaultAlloc(hooks, address, size, alignment, zero, commit, arena);
        if (memory != 0 && size >= HugePage && madvise(memory, size, MadvHugePage) == 0)
        {
            Interlocked.Add(ref advisedBytes, (long)size);
        }

        return memory;
    }
}
