using System.Runtime.InteropServices;
using SalesKpi.Storage.DuckDb;

namespace SalesKpi.Tests.Storage;

/// <summary>
/// The C heap setting of the server's process. The test that applies it changes this test process's heap as it
/// changes the server's; no result depends on where the C library takes memory from.
/// </summary>
public sealed partial class NativeHeapTests
{
    private static bool Glibc => OperatingSystem.IsLinux() && !RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.Ordinal);

    [SkippableFact]
    public void With_the_heap_kept_glibc_serves_4_MB_from_its_heap_and_40_MB_from_a_mapping_of_its_own()
    {
        Skip.IfNot(Glibc, "the settings are glibc's");

        NativeHeap.KeepFreedMemory().ShouldBeTrue();

        // 4 MB: a fresh process would map it by default (above 128 KB). 40 MB: still mapped, so the limit is 32 MB,
        // not the 512 MB kept free (the two settings swapped).
        MapsOfItsOwn(4 * 1024 * 1024).ShouldBe(0);
        MapsOfItsOwn(40 * 1024 * 1024).ShouldBe(1);
    }

    private static unsafe long MapsOfItsOwn(nuint bytes)
    {
        var before = MallocInfo().MappedChunks;
        var block = NativeMemory.Alloc(bytes);
        try
        {
            return (long)MallocInfo().MappedChunks - (long)before;
        }
        finally
        {
            NativeMemory.Free(block);
        }
    }

    [SkippableFact]
    public void Elsewhere_nothing_is_changed()
    {
        Skip.If(OperatingSystem.IsLinux(), "on Linux the C library is asked");

        NativeHeap.KeepFreedMemory().ShouldBeFalse();
    }

    // glibc 2.33+: struct mallinfo2, ten size_t fields; hblks (chunks with a mapping of their own) is the fourth.
    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct MallInfo2(nuint Arena, nuint OrdinaryBlocks, nuint FastBlocks, nuint MappedChunks, nuint MappedBytes, nuint MaxTotal, nuint FastBytes, nuint Used, nuint Free, nuint Keep);

    [LibraryImport("libc.so.6", EntryPoint = "mallinfo2")]
    private static partial MallInfo2 MallocInfo();
}
