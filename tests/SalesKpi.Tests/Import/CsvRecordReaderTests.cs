using SalesKpi.Import;

namespace SalesKpi.Tests.Import;

public sealed class CsvRecordReaderTests
{
    private static List<(long Line, string[] Fields, bool Unterminated)> ReadAll(string text)
    {
        var csv = new CsvRecordReader(new StringReader(text));
        var rows = new List<(long, string[], bool)>();
        while (csv.Read())
        {
            rows.Add((csv.Line, Enumerable.Range(0, csv.FieldCount).Select(i => csv[i].ToString()).ToArray(), csv.Unterminated));
        }

        return rows;
    }

    [Fact]
    public void Quoted_commas_quotes_and_line_breaks_stay_inside_the_field()
    {
        var rows = ReadAll("a,b\r\n\"x, y\",\"he said \"\"hi\"\"\"\r\n\"two\nlines\",z\r\n");
        rows.Count.ShouldBe(3);
        rows[1].Fields.ShouldBe(["x, y", "he said \"hi\""]);
        rows[2].Fields.ShouldBe(["two\nlines", "z"]);
    }

    [Fact]
    public void Record_line_is_the_physical_line_it_starts_on()
    {
        var rows = ReadAll("h1,h2\n\"a\nb\nc\",1\nx,2\n");
        rows.Select(r => r.Line).ShouldBe([1L, 2L, 5L]);
    }

    [Fact]
    public void Blank_lines_are_not_records_but_still_count_as_lines()
    {
        var rows = ReadAll("h\n\nv1\r\n\r\nv2");
        rows.Select(r => (r.Line, r.Fields[0])).ShouldBe([(1L, "h"), (3L, "v1"), (5L, "v2")]);
    }

    [Fact]
    public void Lone_carriage_returns_end_records()
    {
        ReadAll("a\rb\rc").Select(r => r.Fields[0]).ShouldBe(["a", "b", "c"]);
    }

    [Fact]
    public void Empty_trailing_field_is_kept()
    {
        ReadAll("a,b,\n").Single().Fields.ShouldBe(["a", "b", ""]);
    }

    [Fact]
    public void Unclosed_quote_marks_the_record_unterminated()
    {
        var rows = ReadAll("h,v\n1,\"open\n2,3\n");
        rows[1].Unterminated.ShouldBeTrue();
        rows.Count.ShouldBe(2);
    }

    [Fact]
    public void Raw_capture_returns_the_record_exactly_as_written()
    {
        var csv = new CsvRecordReader(new StringReader("h,v\r\n\"a \"\"q\"\"\",\"x\r\ny\"\r\nlast,1"), captureRaw: true);
        csv.Read().ShouldBeTrue();
        csv.Raw.ShouldBe("h,v");
        csv.Read().ShouldBeTrue();
        csv.Raw.ShouldBe("\"a \"\"q\"\"\",\"x\r\ny\"");
        csv.Read().ShouldBeTrue();
        csv.Raw.ShouldBe("last,1");
        csv.Read().ShouldBeFalse();
    }

    [Fact]
    public void Fields_starting_on_a_buffer_boundary_are_read_whole()
    {
        // Many short records put every position of the 64 KiB buffer at a field start once.
        var text = "id,v\n" + string.Concat(Enumerable.Range(0, 30_000).Select(i => $"{i},\"q{i}\"\n"));
        var rows = ReadAll(text);
        rows.Count.ShouldBe(30_001);
        rows.Skip(1).Select(r => r.Fields[1]).ShouldBe(Enumerable.Range(0, 30_000).Select(i => $"q{i}"));
    }

    [Fact]
    public void Records_spanning_buffer_boundaries_are_read_whole()
    {
        var big = new string('x', 200_000);
        var rows = ReadAll($"h,v\n\"{big}\",1\nq,2\n");
        rows[1].Fields[0].Length.ShouldBe(200_000);
        rows[2].Fields.ShouldBe(["q", "2"]);
    }
}
