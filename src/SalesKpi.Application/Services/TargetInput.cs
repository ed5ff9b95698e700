using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Import;

namespace SalesKpi.Application.Services;

/// <summary>Targets as users write them: values, slices and CSV files of targets.</summary>
public static class TargetInput
{
    /// <summary>
    /// Parses a target value as users write it: invariant decimal, and for ratio KPIs also a percentage
    /// (<c>30%</c> = 0.3). Throws with what to write when it is not a number; whether the number is
    /// allowed is the shared rule (<see cref="TargetRules.Problems"/>) checked when the version is stored.
    /// </summary>
    public static decimal Value(SystemKpi? kpi, string id, string text)
    {
        var ratio = kpi?.Def.Unit == KpiUnit.Ratio;
        var t = text.Trim().Replace(" ", string.Empty, StringComparison.Ordinal);
        var percent = t.EndsWith('%');
        if (percent && ratio)
        {
            t = t[..^1];
        }

        if (!decimal.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
        {
            throw new SalesKpiException(Msg.Of("targets.bad_value", "'{0}' is not a target value for {1}: write a number with a dot{2}.", "«{0}» — не значение цели для {1}: пишите число через точку{2}.", text, id, ratio ? Msg.Of("targets.value_example", ", e.g. 0.3 or 30%", ", например 0.3 или 30%") : null));
        }

        return percent && ratio ? v / 100 : v;
    }

    /// <summary>Parses <c>dim=value</c> pairs; which dimensions a KPI has is a rule checked when the version is stored.</summary>
    public static ImmutableSortedDictionary<string, string> Slice(IEnumerable<string> pairs)
    {
        var b = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var parts = pair.Split('=', 2);
            if (parts.Length != 2 || parts[1].Trim().Length == 0)
            {
                throw new SalesKpiException(Msg.Of("targets.bad_slice", "--slice '{0}' must be DIMENSION=VALUE, e.g. owner=Иванов Иван.", "--slice «{0}» должен быть ИЗМЕРЕНИЕ=ЗНАЧЕНИЕ, например owner=Иванов Иван.", pair));
            }

            b[parts[0].Trim().ToLowerInvariant()] = parts[1].Trim();
        }

        return b.ToImmutable();
    }


    /// <summary>Reads every row; returns the targets, or every problem as a <c>file:line:column: message</c> message.</summary>
    public static (List<Target> Targets, List<Msg> Errors) ReadCsv(string path, KpiSystemConfig config)
    {
        var targets = new List<Target>();
        var errors = new List<Msg>();
        using var text = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var reader = new CsvRecordReader(text);
        if (!reader.Read())
        {
            errors.Add(Msg.Of("targets_csv.empty", "{0}: the file is empty; the first line must be a header: kpi,period,value[,tolerance][,channel,owner,…].", "{0}: файл пуст; первая строка — заголовок: kpi,period,value[,tolerance][,channel,owner,…].", path));
            return (targets, errors);
        }

        var header = Enumerable.Range(0, reader.FieldCount).Select(i => reader[i].ToString().Trim().ToLowerInvariant()).ToList();
        foreach (var required in new[] { "kpi", "period", "value" }.Where(r => !header.Contains(r)))
        {
            errors.Add(Msg.Of("targets_csv.missing_column", "{0}:1: the header has no column '{1}' (it has {2}).", "{0}:1: в заголовке нет столбца «{1}» (есть {2}).", path, required, string.Join(", ", header)));
        }

        foreach (var (name, i) in header.Select((h, i) => (h, i)).Where(x => x.h is not ("kpi" or "period" or "value" or "tolerance") && !KpiCatalog.AllDimensions.Contains(x.h)))
        {
            errors.Add(Msg.Of("targets_csv.unknown_column", "{0}:1:{1}: unknown column '{2}': use kpi, period, value, tolerance or a dimension ({3}).", "{0}:1:{1}: неизвестный столбец «{2}»: используйте kpi, period, value, tolerance или измерение ({3}).", path, i + 1, name, string.Join(", ", KpiCatalog.AllDimensions)));
        }

        if (errors.Count > 0)
        {
            return (targets, errors);
        }

        while (reader.Read())
        {
            var line = reader.Line;
            string Cell(string name) => header.IndexOf(name) is var i and >= 0 && i < reader.FieldCount ? reader[i].ToString().Trim() : string.Empty;

            // Every field is checked, so one pass lists all the problems of a row, each at its column.
            bool Try<T>(string column, string code, Func<T> parse, out T value)
            {
                try
                {
                    value = parse();
                    return true;
                }
                catch (SalesKpiException ex)
                {
                    errors.Add(new ConfigIssue(path, (int)line, header.IndexOf(column) + 1, code, ex.Text).ToMsg());
                    value = default!;
                    return false;
                }
            }

            var dims = header.Where(KpiCatalog.AllDimensions.Contains).Where(d => Cell(d).Length > 0).ToList();
            var kpi = TargetsService.Find(config, Cell("kpi"));
            var id = kpi?.Id ?? Cell("kpi");
            var okPeriod = Try("period", "KS113", () => Period.Parse(Cell("period")), out var period);
            var okValue = Try("value", "KS106", () => TargetInput.Value(kpi, id, Cell("value")), out var value);
            var okTolerance = Try(
                "tolerance",
                "KS106",
                () => Cell("tolerance") is { Length: > 0 } tt
                    ? decimal.TryParse(tt, NumberStyles.Float, CultureInfo.InvariantCulture, out var tv) ? tv : throw new SalesKpiException(Msg.Of("targets_csv.bad_tolerance", "tolerance '{0}' is not a number: write a percentage from 0 to 100.", "tolerance «{0}» — не число: пишите процент от 0 до 100.", tt))
                    : 5m,
                out var tolerance);
            var target = new Target { Kpi = id, Period = okPeriod ? period.Label : Cell("period"), Slice = TargetInput.Slice(dims.Select(d => d + "=" + Cell(d))), Value = value, TolerancePercent = tolerance };

            // The same rules as every stored version, each reported at its column; a field that did not
            // parse was reported above already.
            var unparsed = new[] { okPeriod ? null : "period", okValue ? null : "value", okTolerance ? null : "tolerance" };
            var problems = TargetRules.Problems(config, target, percentAllowed: true).Where(p => !unparsed.Contains(p.Field)).ToList();
            foreach (var p in problems)
            {
                errors.Add(new ConfigIssue(path, (int)line, header.IndexOf(p.Field) + 1 is var col and > 0 ? col : 1, p.Code, p.Message).ToMsg());
            }

            if (problems.Count > 0 || !(okPeriod && okValue && okTolerance))
            {
                continue;
            }

            if (targets.Any(t => t.Key == target.Key))
            {
                errors.Add(Msg.Of("targets_csv.duplicate_row", "{0}:{1}: a second row for the same KPI, period and slice: keep one.", "{0}:{1}: вторая строка для того же KPI, периода и разреза: оставьте одну.", path, line.ToString(CultureInfo.InvariantCulture)));
                continue;
            }

            targets.Add(target);
        }

        return (targets, errors);
    }
}
