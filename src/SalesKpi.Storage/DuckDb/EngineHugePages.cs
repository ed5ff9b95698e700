using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SalesKpi.Storage.DuckDb;

/// <summary>
/// Transparent huge pages for the engine's own memory. DuckDB's Linux builds take their buffers, hash tables and
/// blocks read from a bundled jemalloc, which maps memory in large extents but is built without asking the kernel for
/// huge pages. Where the kernel gives them only on request (<c>transparent_hugepage=madvise</c>, the usual setting),
/// each 4 KB page is then faulted in on first touch: on a virtual machine about 2.8 ms per MB, against 0.2 ms per MB in
/// 2 MB pages (docs/benchmarks.md, eleventh step). <see cref="Advise"/> gives jemalloc's automatic arenas a table of
/// extent hooks copied from jemalloc's own with the allocation hook replaced: it calls jemalloc's, asking for 2 MB
/// alignment, and marks every new extent of 2 MB or more <c>MADV_HUGEPAGE</c>.
/// </summary>
/// <remarks>
/// <para>
/// Worth it for a one-off command, whose memory is all first touches: a 1 M-lead report as a process went from 34,000
/// to about 16,500 page faults. A server reuses its pages and gained nothing measurable, and a large import peaked about
/// 5 % higher, so hosts choose where to use it. Results do not depend on it: only where the kernel places memory.
/// </para>
/// <para>
/// What changes besides the pages: a table other than jemalloc's built-in one makes jemalloc call every extent hook
/// indirectly, inside its reentrancy guard, zero recycled memory by writing instead of by purging, and deregister and
/// register again each extent it retains; writing the table creates any automatic arena not yet in use (its own
/// bookkeeping keeps jemalloc's table); the arena for single allocations above 256 MB, created only when used, keeps
/// jemalloc's table, so those are never advised. The hook is .NET code that jemalloc calls on the engine's own
/// threads, a few dozen times in a 1 M-lead report; <see cref="Withdraw"/> hands the arenas their table back before the
/// runtime shuts down.
/// </para>
/// </remarks>
public static unsafe class EngineHugePages
{
    // jemalloc 5's extent_hooks_t: alloc, dalloc, destroy, commit, decommit, purge_lazy, purge_forced, split, merge.
    private const int HookCount = 9;
    private const int AllocHook = 0;

    // linux/mman.h; the smallest extent worth a huge page is one huge page (x86-64 and arm64 with 4 KB pages).
    private const int MadvHugePage = 14;
    private const nuint HugePage = 2 * 1024 * 1024;

    private static readonly Lock Gate = new();
    private static readonly List<uint> Hooked = [];
    private static delegate* unmanaged[Cdecl]<nint, nint, nuint, nuint, byte*, byte*, uint, nint> defaultAlloc;
    private static delegate* unmanaged[Cdecl]<nint, nuint, int, int> madvise;
    private static delegate* unmanaged[Cdecl]<byte*, void*, nuint*, void*, nuint, int> mallctl;
    private static nint defaultTable;
    private static long advisedBytes;
    private static bool attempted;
    private static bool atFirstOpen;

    /// <summary>
    /// Bytes of new engine memory the kernel was asked to back with huge pages, since <see cref="Advise"/>: each
    /// request the kernel accepted. Whether it then gave huge pages is its setting (none under
    /// <c>transparent_hugepage=never</c>, which still accepts the request). 0 before <see cref="Advise"/> or where
    /// it installed nothing.
    /// </summary>
    public static long AdvisedBytes => Interlocked.Read(ref advisedBytes);

    /// <summary>True while the hooks are in place: after an <see cref="Advise"/> that returned true, until <see cref="Withdraw"/>.</summary>
    public static bool Active
    {
        get
        {
            lock (Gate)
            {
                return Hooked.Count > 0;
            }
        }
    }

    /// <summary>
    /// Has <see cref="Advise"/> run when this process first opens a workspace file, not before: a command on a
    /// PostgreSQL workspace then never loads DuckDB's library for it. Process-wide; a host calls it at start.
    /// </summary>
    public static void AdviseAtFirstOpen() => Volatile.Write(ref atFirstOpen, true);

    /// <summary>
    /// On Linux, with the DuckDB library's bundled jemalloc, marks every extent of 2 MB or more that jemalloc maps from
    /// now on for transparent huge pages, until <see cref="Withdraw"/>. Returns true when the hooks are in place; false,
    /// changing nothing, elsewhere (Windows, macOS, a DuckDB build without jemalloc). Only the first call of a process
    /// tries; later calls return what it found. Memory mapped before the call keeps its pages.
    /// </summary>
    public static bool Advise()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        lock (Gate)
        {
            if (attempted)
            {
                return Hooked.Count > 0;
            }

            attempted = true;

            // The same probing as DuckDB.NET's own import of "duckdb", so the same library (already loaded or not); the
            // C library's madvise from the program's global scope, whichever C library that is. Both are looked up
            // now: the hook runs on the engine's threads, where nothing may throw.
            if (!NativeLibrary.TryLoad("duckdb", typeof(DuckDB.NET.Native.NativeMethods).Assembly, null, out var duckdb)
                || !NativeLibrary.TryGetExport(duckdb, "duckdb_je_mallctl", out var control)
                || !NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), "madvise", out var advise))
            {
                return false;
            }

            mallctl = (delegate* unmanaged[Cdecl]<byte*, void*, nuint*, void*, nuint, int>)control;
            madvise = (delegate* unmanaged[Cdecl]<nint, nuint, int, int>)advise;

            // One table for every arena, never freed: jemalloc may still hold it on a thread inside a hook when the
            // table is withdrawn.
            var table = (nint*)NativeMemory.AllocZeroed(HookCount, (nuint)sizeof(nint));
            var arenas = ArenaCount();
            for (var i = 0u; i < arenas; i++)
            {
                var name = Arena(i);
                if (TableOf(i) is not { } current)
                {
                    // The arena for allocations above 256 MB, not created yet: it keeps jemalloc's table.
                    continue;
                }

                if (defaultTable == 0)
                {
                    defaultTable = current;
                    Buffer.MemoryCopy((void*)current, table, HookCount * sizeof(nint), HookCount * sizeof(nint));
                    defaultAlloc = (delegate* unmanaged[Cdecl]<nint, nint, nuint, nuint, byte*, byte*, uint, nint>)table[AllocHook];
                    table[AllocHook] = (nint)(delegate* unmanaged[Cdecl]<nint, nint, nuint, nuint, byte*, byte*, uint, nint>)&Alloc;
                }

                // An arena not yet in use is created by the first write, and keeps that write's table for its own
                // bookkeeping for good: jemalloc's table is written first, so that only the arena's extents, which a
                // later write sets, go through .NET, and Withdraw takes .NET out of every arena.
                var builtIn = defaultTable;
                if (current == defaultTable
                    && Control(name, null, null, &builtIn, (nuint)sizeof(nint)) == 0
                    && Control(name, null, null, &table, (nuint)sizeof(nint)) == 0)
                {
                    Hooked.Add(i);
                }
            }

            return Hooked.Count > 0;
        }
    }

    /// <summary>
    /// Gives the arenas <see cref="Advise"/> hooked jemalloc's own table back, so that nothing calls into .NET once the
    /// runtime shuts down; memory already mapped keeps its pages. A host calls it when the process ends (on
    /// <c>ProcessExit</c>); it does nothing when no hooks are in place, and a thread inside the hook at that moment
    /// finishes normally. <see cref="AdvisedBytes"/> keeps its count; <see cref="Advise"/> does not hook again.
    /// </summary>
    public static void Withdraw()
    {
        lock (Gate)
        {
            foreach (var i in Hooked)
            {
                var table = defaultTable;
                _ = Control(Arena(i), null, null, &table, (nuint)sizeof(nint));
            }

            Hooked.Clear();
        }
    }

    /// <summary>jemalloc's built-in table and each arena's table now (null where it has none yet), for the tests.</summary>
    internal static (nint BuiltIn, IReadOnlyList<nint?> Arenas) Tables()
    {
        lock (Gate)
        {
            var count = mallctl == null ? 0 : ArenaCount();
            return (defaultTable, [.. Enumerable.Range(0, (int)count).Select(i => TableOf((uint)i))]);
        }
    }

    /// <summary>Called before each workspace file opens: runs <see cref="Advise"/> once when the host asked for it.</summary>
    internal static void OnOpen()
    {
        if (Volatile.Read(ref atFirstOpen))
        {
            _ = Advise();
        }
    }

    // The number of arenas jemalloc may have, automatic and the one for large allocations; 0 when it does not say.
    private static uint ArenaCount()
    {
        uint arenas;
        var size = (nuint)sizeof(uint);
        return Control("arenas.narenas", &arenas, &size, null, 0) == 0 ? arenas : 0;
    }

    // An arena's table now, or null for the arena for large allocations before its first use.
    private static nint? TableOf(uint index)
    {
        nint table;
        var size = (nuint)sizeof(nint);
        return Control(Arena(index), &table, &size, null, 0) == 0 ? table : null;
    }

    private static string Arena(uint index) => FormattableString.Invariant($"arena.{index}.extent_hooks");

    private static int Control(string name, void* old, nuint* oldSize, void* value, nuint valueSize)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(name + "\0");
        fixed (byte* text = bytes)
        {
            return mallctl(text, old, oldSize, value, valueSize);
        }
    }

    // It calls only native functions, so it cannot throw. A fresh extent is asked for at a 2 MB boundary: jemalloc asks
    // only for page alignment, and a huge page must start at one.
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint Alloc(nint hooks, nint address, nuint size, nuint alignment, byte* zero, byte* commit, uint arena)
    {
        var large = size >= HugePage;
        var memory = defaultAlloc(hooks, address, size, large && address == 0 && alignment < HugePage ? HugePage : alignment, zero, commit, arena);
        if (memory != 0 && large && madvise(memory, size, MadvHugePage) == 0)
        {
            Interlocked.Add(ref advisedBytes, (long)size);
        }

        return memory;
    }
}
