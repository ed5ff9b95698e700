using System.Collections.Immutable;
using System.Globalization;
using SalesKpi.Core.Kpis;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SalesKpi.Core.Config;

/// <summary>One problem of a KPI-system file: where it is, a stable code and what to change.</summary>
/// <param name="File">The file name as given.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Code">Stable code (<c>KS…</c>), documented in docs/kpi-system.md.</param>
/// <param name="Message">What is wrong and what to change, as a message the host renders.</param>
public sealed record ConfigIssue(string File, int Line, int Column, string Code, Msg Message)
{
    /// <summary>The issue as <c>file:line:column: CODE message</c> with the message in <paramref name="language"/>.</summary>
    public string Render(Language language) => ToMsg().Render(language);

    /// <summary>
    /// The whole issue as one message (code <c>config.issue</c>): location and KS code are the same in every
    /// language, the message is rendered in the reader's.
    /// </summary>
    public Msg ToMsg() => Msg.Of(
        "config.issue",
        "{0}:{1}:{2}: {3} {4}",
        "{0}:{1}:{2}: {3} {4}",
        File,
        Line.ToString(CultureInfo.InvariantCulture),
        Column.ToString(CultureInfo.InvariantCulture),
        Code,
        Message);

    /// <summary>The issue in English (for logs; hosts use <see cref="Render"/>).</summary>
    public override string ToString() => Render(Language.En);
}

/// <summary>
/// A change of the KPI system refused because the resulting version would be invalid; nothing was
/// stored. The message lists every issue in <c>file:line:column: CODE message</c> form.
/// </summary>
public sealed class KpiSystemInvalidException : SalesKpiException
{
    /// <summary>Creates the error for <paramref name="issues"/> of the candidate version.</summary>
    public KpiSystemInvalidException(IReadOnlyList<ConfigIssue> issues)
        : base(Msg.Of(
            "config.change_refused_invalid",
            "The change was refused and nothing was stored: the KPI system would become invalid ({0} error(s)):{1}",
            "Изменение отклонено, ничего не сохранено: система KPI стала бы некорректной (ошибок: {0}):{1}",
            issues.Count,
            Lines(issues.Select(i => i.ToMsg()))))
    {
        Issues = issues;
    }

    /// <summary>
    /// Creates the error for a change typed on the command line (<paramref name="source"/>, e.g.
    /// <c>targets set</c>): the issues are reported against that input, since the generated version text
    /// they are located in was never seen by the user.
    /// </summary>
    public KpiSystemInvalidException(string source, IReadOnlyList<ConfigIssue> issues)
        : base(Msg.Of(
            "config.change_refused",
            "The change was refused and nothing was stored:{0}",
            "Изменение отклонено, ничего не сохранено:{0}",
            Lines(issues.Select(i => Msg.Of("config.typed_issue", "{0}: {1} {2}", "{0}: {1} {2}", source, i.Code, i.Message)))))
    {
        Issues = issues;
    }

    /// <summary>The issues, in the candidate's canonical text (or against the typed input).</summary>
    public IReadOnlyList<ConfigIssue> Issues { get; }

    // Each issue on its own indented line, as the message always listed them.
    private static Msg Lines(IEnumerable<Msg> issues) => Msg.Join(Environment.NewLine + "  ", issues, prefix: Environment.NewLine + "  ");
}

/// <summary>The outcome of parsing: the configuration when there are no errors, else every error found.</summary>
/// <param name="Config">The configuration; null when <paramref name="Errors"/> is not empty.</param>
/// <param name="TargetsDeclared">True when the file has a <c>targets</c> section (else stored targets are kept on apply).</param>
/// <param name="Errors">All errors, in file order.</param>
public sealed record ConfigParseResult(KpiSystemConfig? Config, bool TargetsDeclared, IReadOnlyList<ConfigIssue> Errors);

/// <summary>
/// Reads a KPI-system YAML file. It checks the whole file and reports every error at once, each with
/// line, column and code; a configuration is returned only when there is none.
/// </summary>
public static class KpiSystemParser
{
    /// <summary>Parses and validates <paramref name="text"/>; <paramref name="file"/> names it in errors.</summary>
    public static ConfigParseResult Parse(string text, string file)
    {
        var r = new Reader(file);
        if (YamlSyntax.Load(text, file, out var syntax) is not { } stream)
        {
            return new(null, false, [syntax!]);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return new(new KpiSystemConfig(), false, []);
        }

        var root = r.Map(stream.Documents[0].RootNode, "(file)");
        if (root is null)
        {
            return new(null, false, r.Errors);
        }

        r.Keys(root, "version", "goals", "kpis", "parameters", "targets");
        if (Reader.Get(root, "version") is { } version && r.Scalar(version, "version") is { } v && v != "1")
        {
            r.Error(version, "KS104", Msg.Of("config.version_unsupported", "version {0} is not supported: this SalesKpi reads version 1.", "версия {0} не поддерживается: эта версия SalesKpi читает версию 1.", v));
        }

        var parameters = Reader.Get(root, "parameters") is { } pn ? Parameters(r, pn) : new KpiParameters();
        var custom = Reader.Get(root, "kpis") is { } kn && r.Map(kn, "kpis") is { } kpis ? Custom(r, kpis) : [];
        ImmutableArray<string>? active = null;
        var known = KpiCatalog.All.Select(k => k.Id).Concat(custom.Select(c => c.Id)).ToHashSet(StringComparer.Ordinal);
        if (Reader.Get(root, "kpis") is YamlMappingNode km)
        {
            r.Keys(km, "active", "custom");
            if (Reader.Get(km, "active") is { } an && r.Seq(an, "kpis.active") is { } list)
            {
                active = [.. list.Children.Select(n => r.KpiRef(n, known)).OfType<string>().Distinct()];
            }
        }

        var config = new KpiSystemConfig { Parameters = parameters, Custom = custom, Active = active };
        var selectable = active is { } a ? a.ToHashSet(StringComparer.Ordinal) : known;
        var goals = Reader.Get(root, "goals") is { } gn && r.Seq(gn, "goals") is { } gs ? Goals(r, gs, known, selectable) : [];
        var targetsNode = Reader.Get(root, "targets");
        var targets = targetsNode is not null && r.Seq(targetsNode, "targets") is { } ts ? Targets(r, ts, config with { Goals = goals }) : [];
        return r.Errors.Count > 0
            ? new(null, targetsNode is not null, r.Errors)
            : new(config with { Goals = goals, Targets = targets }, targetsNode is not null, []);
    }

    /// <summary>
    /// Checks a whole configuration the way a file is checked: it is written as its canonical YAML, named
    /// <paramref name="name"/>, and that text is parsed back, so whatever passes is a version this build
    /// reads exactly as it was meant. Returns every issue, located in that text; empty when valid.
    /// </summary>
    public static IReadOnlyList<ConfigIssue> Validate(KpiSystemConfig config, string name)
    {
        var text = KpiSystemWriter.Write(config);
        var parsed = Parse(text, name);
        if (parsed.Errors.Count > 0)
        {
            return parsed.Errors;
        }

        return KpiSystemWriter.Write(parsed.Config!) == text
            ? []
            : [new ConfigIssue(name, 1, 1, "KS199", Msg.Of("config.roundtrip_mismatch", "the KPI system does not read back as it was written; nothing was stored. Please report this as a bug.", "система KPI читается не так, как записана; ничего не сохранено. Сообщите об этой ошибке."))];
    }

    private static KpiParameters Parameters(Reader r, YamlNode node)
    {
        var p = new KpiParameters();
        if (r.Map(node, "parameters") is not { } map)
        {
            return p;
        }

        var names = p.ToDictionary().Keys.ToHashSet(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in map.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            if (key == "business_calendar")
            {
                p = p with { Calendar = Calendar(r, valueNode) };
                continue;
            }

            if (!names.Contains(key))
            {
                r.Error(keyNode, "KS121", Msg.Of("config.unknown_parameter", "unknown parameter '{0}': use one of {1}.", "неизвестный параметр «{0}»: используйте один из {1}.", key, string.Join(", ", names.Append("business_calendar"))));
                continue;
            }

            var text = valueNode switch
            {
                YamlSequenceNode seq => string.Join(",", seq.Children.Select(c => (c as YamlScalarNode)?.Value ?? string.Empty)),
                YamlScalarNode s => s.Value ?? string.Empty,
                _ => null,
            };
            if (text is null)
            {
                r.Error(valueNode, "KS102", Msg.Of("config.value_or_list", "{0} must be a value or a list.", "{0} должен быть значением или списком.", key));
                continue;
            }

            try
            {
                p = p.Set(key, text);
            }
            catch (SalesKpiException ex)
            {
                r.Error(valueNode, "KS120", ex.Text);
            }
        }

        return p;
    }

    private static BusinessCalendar? Calendar(Reader r, YamlNode node)
    {
        if (r.Map(node, "business_calendar") is not { } map)
        {
            return null;
        }

        r.Keys(map, "working_days", "hours", "holidays", "time_zone");
        var days = ImmutableArray<DayOfWeek>.Empty;
        if (Reader.Get(map, "working_days") is { } dn && r.Seq(dn, "working_days") is { } ds)
        {
            days = [.. ds.Children.Select(d =>
            {
                var text = r.Scalar(d, "working_days") ?? string.Empty;
                var day = BusinessCalendar.ParseDay(text);
                if (day is null)
                {
                    r.Error(d, "KS150", Msg.Of("config.calendar_bad_day", "'{0}' is not a day: use mon, tue, wed, thu, fri, sat or sun.", "«{0}» — не день недели: используйте mon, tue, wed, thu, fri, sat или sun.", text));
                }

                return day;
            }).OfType<DayOfWeek>().Distinct()];
        }
        else
        {
            days = BusinessCalendar.Weekdays;
        }

        var (open, close) = (new TimeOnly(9, 0), new TimeOnly(18, 0));
        if (Reader.Get(map, "hours") is { } hn && r.Scalar(hn, "hours") is { } hours)
        {
            var parts = hours.Split('-', StringSplitOptions.TrimEntries);
            if (parts.Length == 2
                && TimeOnly.TryParseExact(parts[0], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var o)
                && TimeOnly.TryParseExact(parts[1], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var c)
                && o < c)
            {
                (open, close) = (o, c);
            }
            else
            {
                r.Error(hn, "KS150", Msg.Of("config.calendar_bad_hours", "hours '{0}' must be START-END within one day, e.g. 09:00-18:00.", "hours «{0}» должно быть НАЧАЛО-КОНЕЦ в пределах дня, например 09:00-18:00.", hours));
            }
        }

        var holidays = ImmutableArray<DateOnly>.Empty;
        if (Reader.Get(map, "holidays") is { } hd && r.Seq(hd, "holidays") is { } hs)
        {
            holidays = [.. hs.Children.Select(h =>
            {
                var text = r.Scalar(h, "holidays") ?? string.Empty;
                if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
                {
                    return (DateOnly?)d;
                }

                r.Error(h, "KS150", Msg.Of("config.calendar_bad_holiday", "holiday '{0}' is not a date: write 2026-01-01.", "праздник «{0}» — не дата: пишите 2026-01-01.", text));
                return null;
            }).OfType<DateOnly>().Distinct().Order()];
        }

        string? zone = null;
        if (Reader.Get(map, "time_zone") is { } zn && r.Scalar(zn, "time_zone") is { } z)
        {
            if (TimeZoneInfo.TryFindSystemTimeZoneById(z, out _))
            {
                zone = z;
            }
            else
            {
                r.Error(zn, "KS150", Msg.Of("config.calendar_bad_zone", "'{0}' is not a time zone: use an IANA name such as Europe/Moscow.", "«{0}» — не часовой пояс: используйте имя IANA, например Europe/Moscow.", z));
            }
        }

        if (days.IsEmpty)
        {
            r.Error(node, "KS150", Msg.Of("config.calendar_no_days", "working_days must name at least one day.", "working_days должен содержать хотя бы один день."));
        }

        return new BusinessCalendar { WorkingDays = days, Open = open, Close = close, Holidays = holidays, TimeZone = zone };
    }

    private static ImmutableArray<CustomKpi> Custom(Reader r, YamlMappingNode kpis)
    {
        if (Reader.Get(kpis, "custom") is not { } cn || r.Seq(cn, "kpis.custom") is not { } seq)
        {
            return [];
        }

        var result = new List<CustomKpi>();
        var catalogue = KpiCatalog.All.Select(k => k.Id).ToHashSet(StringComparer.Ordinal);
        var declared = seq.Children.OfType<YamlMappingNode>().ToList();
        static string IdOf(YamlNode? n) => (n as YamlScalarNode)?.Value ?? string.Empty;
        var ratios = declared.Where(x => Reader.Get(x, "ratio") is not null).Select(x => IdOf(Reader.Get(x, "id"))).ToHashSet(StringComparer.Ordinal);
        // A ratio may use catalogue KPIs and filtered custom KPIs, not other ratios, so definitions never loop.
        var parts = catalogue.Concat(declared.Where(x => Reader.Get(x, "ratio") is null).Select(x => IdOf(Reader.Get(x, "id")))).ToHashSet(StringComparer.Ordinal);
        foreach (var item in seq.Children)
        {
            if (r.Map(item, "kpis.custom[]") is not { } m)
            {
                continue;
            }

            r.Keys(m, "id", "title", "kpi", "filter", "ratio", "unit", "direction");
            var id = r.Id(m, "id", item);
            var title = r.Title(m, item);
            if (id is not null && KpiCatalog.All.Any(k => k.Id == id))
            {
                r.Error(m.Children[new YamlScalarNode("id")], "KS133", Msg.Of("config.custom_id_taken", "custom KPI id '{0}' is a catalogue KPI: choose another id.", "идентификатор «{0}» занят KPI каталога: выберите другой.", id));
            }
            else if (id is not null && result.Any(c => c.Id == id))
            {
                r.Error(m.Children[new YamlScalarNode("id")], "KS111", Msg.Of("config.custom_declared_twice", "custom KPI '{0}' is declared twice: keep one.", "пользовательский KPI «{0}» объявлен дважды: оставьте один.", id));
            }

            var baseNode = Reader.Get(m, "kpi");
            var ratioNode = Reader.Get(m, "ratio");
            if ((baseNode is null) == (ratioNode is null))
            {
                r.Error(item, "KS130", Msg.Of("config.custom_kind", "a custom KPI needs either 'kpi' with 'filter' or 'ratio' with numerator and denominator, not both.", "пользовательскому KPI нужен либо «kpi» с «filter», либо «ratio» с numerator и denominator, но не оба."));
                continue;
            }

            var custom = new CustomKpi { Id = id ?? string.Empty, Title = title ?? new LocalizedText(id ?? string.Empty, id ?? string.Empty) };
            if (baseNode is not null)
            {
                var baseId = r.KpiRef(baseNode, catalogue);
                var filter = Reader.Get(m, "filter") is { } fn ? r.Slice(fn, "filter", baseId is null ? null : KpiCatalog.Get(baseId)) : null;
                if (filter is { Count: 0 } || Reader.Get(m, "filter") is null)
                {
                    r.Error(item, "KS131", Msg.Of("config.filter_missing", "a filtered KPI needs 'filter' with at least one dimension: value pair, e.g. filter: { service_line: consulting }.", "отфильтрованному KPI нужен «filter» хотя бы с одной парой измерение: значение, например filter: { service_line: consulting }."));
                }

                result.Add(custom with { Base = baseId, Filter = filter ?? ImmutableSortedDictionary<string, string>.Empty });
                continue;
            }

            if (r.Map(ratioNode!, "ratio") is not { } ratio)
            {
                continue;
            }

            r.Keys(ratio, "numerator", "denominator");
            string? Part(string name)
            {
                if (Reader.Get(ratio, name) is { } n)
                {
                    return ratios.Contains(IdOf(n)) && !parts.Contains(IdOf(n))
                        ? r.Fail<string>(n, "KS130", Msg.Of("config.ratio_of_ratio", "a ratio cannot use another ratio KPI: use catalogue or filtered KPIs.", "отношение не может использовать другое отношение: используйте KPI каталога или отфильтрованные."))
                        : r.KpiRef(n, parts);
                }

                r.Error(ratio, "KS103", Msg.Of("config.ratio_part_missing", "ratio needs '{0}'.", "в ratio нужен «{0}».", name));
                return null;
            }

            var unit = Reader.Get(m, "unit") is { } un ? r.EnumValue<KpiUnit>(un, "unit") : KpiUnit.Multiple;
            var direction = Reader.Get(m, "direction") is { } dn ? r.EnumValue<KpiDirection>(dn, "direction") : null;
            if (Reader.Get(m, "direction") is null)
            {
                r.Error(item, "KS103", Msg.Of("config.ratio_direction_missing", "a ratio KPI needs 'direction': higher, lower or neutral.", "KPI-отношению нужен «direction»: higher, lower или neutral."));
            }

            result.Add(custom with { Numerator = Part("numerator"), Denominator = Part("denominator"), Unit = unit ?? KpiUnit.Multiple, Direction = direction ?? KpiDirection.Neutral });
        }

        return [.. result];
    }

    private static ImmutableArray<Goal> Goals(Reader r, YamlSequenceNode seq, HashSet<string> known, HashSet<string> active)
    {
        var goals = new List<Goal>();
        foreach (var item in seq.Children)
        {
            if (r.Map(item, "goals[]") is not { } m)
            {
                continue;
            }

            r.Keys(m, "id", "title", "horizon", "kpis");
            var id = r.Id(m, "id", item);
            if (id is not null && goals.Any(g => g.Id == id))
            {
                r.Error(m.Children[new YamlScalarNode("id")], "KS111", Msg.Of("config.goal_declared_twice", "goal '{0}' is declared twice: keep one.", "цель «{0}» объявлена дважды: оставьте одну.", id));
            }

            var title = r.Title(m, item);
            string? horizon = null;
            if (Reader.Get(m, "horizon") is { } hn && r.Scalar(hn, "horizon") is { } h)
            {
                horizon = r.PeriodLabel(hn, h);
            }

            var links = new List<GoalKpi>();
            if (Reader.Get(m, "kpis") is { } ln && r.Seq(ln, "goals[].kpis") is { } ls)
            {
                foreach (var link in ls.Children)
                {
                    // A bare id links with weight 1; a mapping gives the weight.
                    if (link is YamlScalarNode)
                    {
                        if (r.KpiRef(link, known) is { } k && (active.Contains(k) || r.Fail<string>(link, "KS115", Msg.Of("config.goal_kpi_inactive", "{0} is linked to a goal but not in kpis.active: add it there or remove the link.", "{0} связан с целью, но не входит в kpis.active: добавьте его туда или уберите связь.", k)) is not null))
                        {
                            links.Add(new GoalKpi(k, 1));
                        }

                        continue;
                    }

                    if (r.Map(link, "goals[].kpis[]") is not { } lm)
                    {
                        continue;
                    }

                    r.Keys(lm, "kpi", "weight");
                    var kpi = Reader.Get(lm, "kpi") is { } kn ? r.KpiRef(kn, known) : r.Fail<string>(link, "KS103", Msg.Of("config.goal_link_kpi_missing", "a linked KPI needs 'kpi'.", "у связанного KPI нужен «kpi»."));
                    var weight = Reader.Get(lm, "weight") is { } wn ? r.Number(wn, "weight") : 1m;
                    if (weight is <= 0)
                    {
                        r.Error(Reader.Get(lm, "weight")!, "KS112", Msg.Of("config.weight_not_positive", "weight must be greater than 0.", "вес должен быть больше 0."));
                    }

                    if (kpi is not null && !active.Contains(kpi))
                    {
                        r.Error(link, "KS115", Msg.Of("config.goal_kpi_inactive", "{0} is linked to a goal but not in kpis.active: add it there or remove the link.", "{0} связан с целью, но не входит в kpis.active: добавьте его туда или уберите связь.", kpi));
                    }

                    if (kpi is not null && weight is > 0)
                    {
                        if (links.Any(l => l.Kpi == kpi))
                        {
                            r.Error(link, "KS111", Msg.Of("config.goal_kpi_linked_twice", "{0} is linked to this goal twice: keep one.", "{0} связан с этой целью дважды: оставьте одну связь.", kpi));
                        }

                        links.Add(new GoalKpi(kpi, weight.Value));
                    }
                }
            }

            goals.Add(new Goal { Id = id ?? string.Empty, Title = title ?? new LocalizedText(id ?? string.Empty, id ?? string.Empty), Horizon = horizon, Kpis = [.. links] });
        }

        return [.. goals];
    }

    private static ImmutableArray<Target> Targets(Reader r, YamlSequenceNode seq, KpiSystemConfig config)
    {
        var targets = new List<Target>();
        foreach (var item in seq.Children)
        {
            if (r.Map(item, "targets[]") is not { } m)
            {
                continue;
            }

            // The file gives the shape; the rules themselves are TargetRules.Problems, shared with every write.
            r.Keys(m, "kpi", "period", "value", "tolerance", "slice");
            var kpiNode = Reader.Get(m, "kpi");
            var periodNode = Reader.Get(m, "period");
            var valueNode = Reader.Get(m, "value");
            var toleranceNode = Reader.Get(m, "tolerance");
            var sliceNode = Reader.Get(m, "slice");
            var kpi = kpiNode is not null ? r.Scalar(kpiNode, "kpi") : r.Fail<string>(item, "KS103", Msg.Of("config.target_kpi_missing", "a target needs 'kpi'.", "у цели нужен «kpi»."));
            var period = periodNode is not null && r.Scalar(periodNode, "period") is { } pt ? r.PeriodLabel(periodNode, pt) : periodNode is null ? r.Fail<string>(item, "KS103", Msg.Of("config.target_period_missing", "a target needs 'period' (a month, quarter or year, e.g. 2026-Q1).", "у цели нужен «period» (месяц, квартал или год, например 2026-Q1).")) : null;
            var value = valueNode is not null ? r.Number(valueNode, "value") : r.Fail<decimal?>(item, "KS103", Msg.Of("config.target_value_missing", "a target needs 'value'.", "у цели нужно «value»."));
            var tolerance = toleranceNode is not null ? r.Number(toleranceNode, "tolerance") : 5m;
            var sliceMap = sliceNode is null ? null : r.Map(sliceNode, "slice");
            var slice = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            var sliceOk = sliceNode is null || sliceMap is not null;
            foreach (var (k, v) in sliceMap?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
            {
                var dim = (k as YamlScalarNode)?.Value ?? string.Empty;
                if (r.Scalar(v, dim) is { } sv)
                {
                    slice[dim] = sv;
                }
                else
                {
                    sliceOk = false;
                }
            }

            if (kpi is null || period is null || value is null || tolerance is null || !sliceOk)
            {
                continue;
            }

            var target = new Target { Kpi = kpi, Period = period, Value = value.Value, TolerancePercent = tolerance.Value, Slice = slice.ToImmutable() };
            var problems = TargetRules.Problems(config, target);
            foreach (var p in problems)
            {
                var at = p.Field switch
                {
                    "kpi" => kpiNode,
                    "period" => periodNode,
                    "value" => valueNode,
                    "tolerance" => toleranceNode,
                    _ => sliceMap?.Children.Keys.FirstOrDefault(k => (k as YamlScalarNode)?.Value == p.Field),
                };
                r.Error(at ?? item, p.Code, p.Message);
            }

            if (problems.Count > 0)
            {
                continue;
            }

            if (targets.Any(t => t.Key == target.Key))
            {
                r.Error(item, "KS142", Msg.Of("config.target_duplicate", "a second target for {0} in {1} for the same slice: keep one.", "вторая цель для {0} на {1} для того же разреза: оставьте одну.", kpi, period));
                continue;
            }

            targets.Add(target);
        }

        return [.. targets];
    }

    private sealed class Reader(string file)
    {
        public List<ConfigIssue> Errors { get; } = [];

        public void Error(Mark mark, string code, Msg message) => Errors.Add(new ConfigIssue(file, (int)mark.Line, (int)mark.Column, code, message));

        public void Error(YamlNode node, string code, Msg message) => Error(node.Start, code, message);

        public T? Fail<T>(YamlNode node, string code, Msg message)
        {
            Error(node, code, message);
            return default;
        }

        public static YamlNode? Get(YamlMappingNode map, string key) => map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

        public YamlMappingNode? Map(YamlNode node, string what) => node as YamlMappingNode
            ?? Fail<YamlMappingNode>(node, "KS102", Msg.Of("config.not_mapping", "{0} must be a mapping (key: value lines).", "{0} должен быть словарём (строки ключ: значение).", what));

        public YamlSequenceNode? Seq(YamlNode node, string what) => node as YamlSequenceNode
            ?? Fail<YamlSequenceNode>(node, "KS102", Msg.Of("config.not_list", "{0} must be a list (lines starting with '- ').", "{0} должен быть списком (строки, начинающиеся с «- »).", what));

        public string? Scalar(YamlNode node, string what) => node is YamlScalarNode s
            ? s.Value ?? string.Empty
            : Fail<string>(node, "KS102", Msg.Of("config.not_scalar", "{0} must be a single value.", "{0} должен быть одним значением.", what));

        public void Keys(YamlMappingNode map, params string[] allowed)
        {
            foreach (var key in map.Children.Keys)
            {
                var name = (key as YamlScalarNode)?.Value ?? string.Empty;
                if (!allowed.Contains(name))
                {
                    Error(key, "KS101", Msg.Of("config.unknown_key", "unknown key '{0}': expected {1}.", "неизвестный ключ «{0}»: ожидается {1}.", name, string.Join(", ", allowed)));
                }
            }
        }

        public string? Id(YamlMappingNode map, string key, YamlNode owner)
        {
            if (Get(map, key) is not { } n)
            {
                return Fail<string>(owner, "KS103", Msg.Of("config.key_required", "'{0}' is required.", "нужен «{0}».", key));
            }

            var id = Scalar(n, key);
            return id is null ? null
                : System.Text.RegularExpressions.Regex.IsMatch(id, "^[a-z][a-z0-9_]*$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1)) ? id
                : Fail<string>(n, "KS105", Msg.Of("config.bad_id", "id '{0}' must be lower-case latin letters, digits and _ starting with a letter.", "идентификатор «{0}» должен состоять из строчных латинских букв, цифр и _ и начинаться с буквы.", id));
        }

        public LocalizedText? Title(YamlMappingNode map, YamlNode owner)
        {
            if (Get(map, "title") is not { } n)
            {
                return Fail<LocalizedText>(owner, "KS103", Msg.Of("config.title_required", "'title' is required: title: { en: ..., ru: ... } or one text for both.", "нужен «title»: title: { en: ..., ru: ... } или один текст для обоих языков."));
            }

            if (n is YamlScalarNode s)
            {
                return new LocalizedText(s.Value ?? string.Empty, s.Value ?? string.Empty);
            }

            if (Map(n, "title") is not { } m)
            {
                return null;
            }

            Keys(m, "en", "ru");
            var en = Get(m, "en") is { } e ? Scalar(e, "title.en") : null;
            var ru = Get(m, "ru") is { } x ? Scalar(x, "title.ru") : null;
            if (en is null && ru is null)
            {
                return Fail<LocalizedText>(n, "KS103", Msg.Of("config.title_empty", "title needs 'en' or 'ru'.", "в title нужен «en» или «ru»."));
            }

            return new LocalizedText(en ?? ru!, ru ?? en!);
        }

        public string? KpiRef(YamlNode node, HashSet<string> known)
        {
            var id = Scalar(node, "kpi");
            return id is null ? null
                : known.Contains(id) ? id
                : Fail<string>(node, "KS110", Msg.Of("config.unknown_kpi", "unknown KPI '{0}': use one of {1}.", "неизвестный KPI «{0}»: используйте один из {1}.", id, string.Join(", ", known.Order(StringComparer.Ordinal))));
        }

        public decimal? Number(YamlNode node, string what) =>
            Scalar(node, what) is { } text && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d
            : node is YamlScalarNode s ? Fail<decimal?>(node, "KS106", Msg.Of("config.not_number", "{0} '{1}' is not a number: write e.g. 0.25 or 1200 (a dot for decimals).", "{0} «{1}» — не число: пишите, например, 0.25 или 1200 (через точку).", what, s.Value))
            : null;

        public T? EnumValue<T>(YamlNode node, string what)
            where T : struct, Enum
        {
            static string Snake(T v) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString());
            var text = Scalar(node, what);
            if (text is null)
            {
                return null;
            }

            foreach (var v in Enum.GetValues<T>())
            {
                if (Snake(v) == text)
                {
                    return v;
                }
            }

            return Fail<T?>(node, "KS132", Msg.Of("config.bad_enum_value", "{0} '{1}' is not valid: use {2}.", "{0} «{1}» недопустимо: используйте {2}.", what, text, string.Join(", ", Enum.GetValues<T>().Select(Snake))));
        }

        public string? PeriodLabel(YamlNode node, string text)
        {
            try
            {
                return Period.Parse(text).Label;
            }
            catch (SalesKpiException ex)
            {
                return Fail<string>(node, "KS113", ex.Text);
            }
        }

        public ImmutableSortedDictionary<string, string>? Slice(YamlNode node, string what, KpiDef? kpi)
        {
            if (Map(node, what) is not { } m)
            {
                return null;
            }

            var ok = true;
            var b = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            foreach (var (k, v) in m.Children)
            {
                var dim = (k as YamlScalarNode)?.Value ?? string.Empty;
                var dims = kpi?.Dimensions ?? KpiCatalog.AllDimensions;
                if (!dims.Contains(dim))
                {
                    ok = false;
                    Error(k, "KS141", Msg.Of("config.not_dimension", "'{0}' is not a dimension of {1}: use {2}.", "«{0}» — не измерение {1}: используйте {2}.", dim, kpi?.Id ?? "KPI", string.Join(", ", dims)));
                    continue;
                }

                if (Scalar(v, dim) is { } value)
                {
                    b[dim] = value;
                }
                else
                {
                    ok = false;
                }
            }

            return ok ? b.ToImmutable() : null;
        }
    }
}
