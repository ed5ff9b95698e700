using System.Text;
using BenchmarkDotNet.Attributes;
using SalesKpi.Import;

namespace SalesKpi.Benchmarks;

[MemoryDiagnoser]
public class ParserBenchmarks
{
    private string csv = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        var path = Path.GetTempFileName();
        LeadsGenerator.Write(path, 100_000);
        csv = File.ReadAllText(path, Encoding.UTF8);
        File.Delete(path);
    }

    [Benchmark(Description = "CsvRecordReader: 100k lead rows")]
    public long ReadCsv()
    {
        var reader = new CsvRecordReader(new StringReader(csv));
        long fields = 0;
        while (reader.Read())
        {
            fields += reader.FieldCount;
        }

        return fields;
    }

    [Benchmark(Description = "ValueParser: 100k local timestamps (Europe/Moscow)")]
    public long ParseTimestamps()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow");
        long ticks = 0;
        for (var i = 0; i < 100_000; i++)
        {
            ValueParser.TryParseTimestamp("2025-09-15 10:30:45", zone, out var t);
            ticks += t.Ticks;
        }

        return ticks;
    }
}
