using System.Collections.Immutable;
using System.Globalization;

namespace SalesKpi.Core.Kpis;

/// <summary>Which deals the win rate counts.</summary>
public enum WinRateBasis
{
    /// <summary>Deals closed (won or lost) in the period — the default.</summary>
    Closed,

    /// <summary>Of the deals created in the period, those already won or lost.</summary>
    Created,
}

/// <summary>Where the sales cycle starts.</summary>
public enum CycleStart
{
    /// <summary>The deal's creation — the default.</summary>
    Deal,

    /// <summary>The linked lead's creation, falling back to the deal's when it has no lead.</summary>
    Lead,
}

/// <summary>A company-size band of the lead-quality rules: inclusive bounds and the points it gives.</summary>
/// <param name="Min">Smallest company size of the band.</param>
/// <param name="Max">Largest company size of the band.</param>
/// <param name="Points">Points given.</param>
public sealed record SizeBand(long Min, long Max, int Points);

/// <summary>
/// The parameters of the KPI definitions that a workspace may change. The defaults are those of the
/// specification; <see cref="Set"/> changes one by name with a checked value.
/// </summary>
public sealed record KpiParameters
{
    /// <summary>Days from lead creation within which qualification counts (KPI 4). Default 30.</summary>
    public int LeadToSqlWindowDays { get; init; } = 30;

    /// <summary>Days from qualification within which a deal counts (KPI 6). Default 60.</summary>
    public int SqlToOpportunityWindowDays { get; init; } = 60;

    /// <summary>Days from lead creation within which a won deal counts (KPI 17). Default 180.</summary>
    public int LeadToWinWindowDays { get; init; } = 180;

    /// <summary>Response-time SLA in hours (KPI 5). Default 1.</summary>
    public double ResponseSlaHours { get; init; } = 1;

    /// <summary>Win-rate basis (KPI 9). Default closed.</summary>
    public WinRateBasis WinRateBasis { get; init; } = WinRateBasis.Closed;

    /// <summary>Sales-cycle start (KPI 8). Default the deal's creation.</summary>
    public CycleStart CycleStart { get; init; } = CycleStart.Deal;

    /// <summary>Score from which a lead counts as high quality (KPI 3 detail). Default 60.</summary>
    public int QualityThreshold { get; init; } = 60;

    /// <summary>Job-title words (matched case-insensitively as substrings) that make a decision maker.</summary>
    public ImmutableArray<string> DecisionMakerTitles { get; init; } =
    [
        "director", "head", "chief", "ceo", "cto", "cfo", "coo", "cmo", "owner", "founder", "partner", "vp", "president",
        "директор", "руководитель", "начальник", "владелец", "основатель", "партнер", "партнёр",
    ];

    /// <summary>Points for a decision-maker job title. Default 40.</summary>
    public int DecisionMakerPoints { get; init; } = 40;

    /// <summary>Company-size bands, first match wins. Default 50–5000 → 30, 10–49 → 15.</summary>
    public ImmutableArray<SizeBand> CompanySizeBands { get; init; } = [new(50, 5000, 30), new(10, 49, 15)];

    /// <summary>Points for a stated need. Default 30.</summary>
    public int NeedPoints { get; init; } = 30;

    /// <summary>Pipeline stages in order; empty (the default) orders them by when deals typically first enter them.</summary>
    public ImmutableArray<string> PipelineStages { get; init; } = [];

    /// <summary>Business calendar for the response time (KPI 5); null (the default) counts calendar time.</summary>
    public BusinessCalendar? Calendar { get; init; }

    /// <summary>The names <see cref="Set"/> accepts, with their current values as text.</summary>
    public IReadOnlyDictionary<string, string> ToDictionary() => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["lead_to_sql_window_days"] = LeadToSqlWindowDays.ToString(CultureInfo.InvariantCulture),
        ["sql_to_opportunity_window_days"] = SqlToOpportunityWindowDays.ToString(CultureInfo.InvariantCulture),
        ["lead_to_win_window_days"] = LeadToWinWindowDays.ToString(CultureInfo.InvariantCulture),
        ["response_sla_hours"] = ResponseSlaHours.ToString(CultureInfo.InvariantCulture),
        ["win_rate_basis"] = WinRateBasis.ToString().ToLowerInvariant(),
        ["cycle_start"] = CycleStart.ToString().ToLowerInvariant(),
        ["quality_threshold"] = QualityThreshold.ToString(CultureInfo.InvariantCulture),
        ["quality_title_words"] = string.Join(",", DecisionMakerTitles),
        ["quality_title_points"] = DecisionMakerPoints.ToString(CultureInfo.InvariantCulture),
        ["quality_size_bands"] = string.Join(",", CompanySizeBands.Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Min}-{b.Max}:{b.Points}"))),
        ["quality_need_points"] = NeedPoints.ToString(CultureInfo.InvariantCulture),
        ["pipeline_stages"] = string.Join(",", PipelineStages),
    };

    /// <summary>
    /// Returns a copy with the parameter <paramref name="name"/> set from text. Throws
    /// <see cref="SalesKpiException"/> naming the parameter and the accepted values when either is wrong.
    /// </summary>
    public KpiParameters Set(string name, string value)
    {
        var v = value.Trim();
        try
        {
            return name.Trim().ToLowerInvariant() switch
            {
                "lead_to_sql_window_days" => this with { LeadToSqlWindowDays = Positive(v) },
                "sql_to_opportunity_window_days" => this with { SqlToOpportunityWindowDays = Positive(v) },
                "lead_to_win_window_days" => this with { LeadToWinWindowDays = Positive(v) },
                "response_sla_hours" => this with { ResponseSlaHours = double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture) is > 0 and <= MaxSlaHours and var h ? h : throw new FormatException() },
                "win_rate_basis" => this with { WinRateBasis = Enum.Parse<WinRateBasis>(v, ignoreCase: true) },
                "cycle_start" => this with { CycleStart = Enum.Parse<CycleStart>(v, ignoreCase: true) },
                "quality_threshold" => this with { QualityThreshold = int.Parse(v, CultureInfo.InvariantCulture) is >= 0 and <= 100 and var t ? t : throw new FormatException() },
                "quality_title_words" => this with { DecisionMakerTitles = [.. v.Split(',').Select(w => Text(w).ToLowerInvariant()).Where(w => w.Length > 0)] },
                "quality_title_points" => this with { DecisionMakerPoints = Points(v) },
                "quality_size_bands" => this with { CompanySizeBands = [.. v.Split(',').Select(ParseBand)] },
                "quality_need_points" => this with { NeedPoints = Points(v) },
                "pipeline_stages" => this with { PipelineStages = [.. v.Split(',').Select(Text).Where(w => w.Length > 0).Distinct(StringComparer.Ordinal)] },
                _ => throw new SalesKpiException(Msg.Of(
                    "params.unknown",
                    "Unknown KPI parameter '{0}': use one of {1}.",
                    "Неизвестный параметр KPI «{0}»: используйте один из {1}.",
                    name,
                    string.Join(", ", ToDictionary().Keys))),
            };
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            var key = name.Trim().ToLowerInvariant();
            throw new SalesKpiException(Msg.Of(
                "params.bad_value",
                "'{1}' is not a valid value for {0}: {3} (now {2}).",
                "«{1}» — недопустимое значение для {0}: {3} (сейчас {2}).",
                name,
                value,
                ToDictionary()[key],
                Accepted(key)), ex);
        }
    }

    private static Msg Accepted(string key) => key switch
    {
        "lead_to_sql_window_days" or "sql_to_opportunity_window_days" or "lead_to_win_window_days" =>
            Msg.Of("params.accepts_window_days", "give whole days from 1 to {0}", "укажите целое число дней от 1 до {0}", MaxWindowDays),
        "response_sla_hours" => Msg.Of("params.accepts_sla_hours", "give hours above 0 and at most {0}", "укажите часы больше 0 и не больше {0}", MaxSlaHours),
        "win_rate_basis" => Msg.Of("params.accepts_basis", "give closed or created", "укажите closed или created"),
        "cycle_start" => Msg.Of("params.accepts_cycle_start", "give deal or lead", "укажите deal или lead"),
        "quality_threshold" or "quality_title_points" or "quality_need_points" => Msg.Of("params.accepts_points", "give a whole number from 0 to 100", "укажите целое число от 0 до 100"),
        "quality_size_bands" => Msg.Of("params.accepts_bands", "give MIN-MAX:POINTS bands separated by commas, 0 ≤ MIN ≤ MAX, points 0 to 100", "укажите полосы МИН-МАКС:БАЛЛЫ через запятую, 0 ≤ МИН ≤ МАКС, баллы от 0 до 100"),
        _ => Msg.Of("params.accepts_words", "give text separated by commas, without control characters", "укажите текст через запятую, без управляющих символов"),
    };

    /// <summary>The longest window, in days, a parameter accepts: a century, far beyond any sales cycle.</summary>
    public const int MaxWindowDays = 36_500;

    /// <summary>The longest response SLA, in hours, accepted: a year (a value must be a finite number).</summary>
    public const double MaxSlaHours = 8_784;

    private static int Positive(string v) => int.Parse(v, CultureInfo.InvariantCulture) is > 0 and <= MaxWindowDays and var n ? n : throw new FormatException();

    // A word or stage name is matched and printed as text: control characters (NUL, tabs, line breaks)
    // cannot be typed into a title or stage and would only make the value unreadable.
    private static string Text(string w)
    {
        var t = w.Trim();
        return t.Any(char.IsControl) ? throw new FormatException() : t;
    }

    private static int Points(string v) => int.Parse(v, CultureInfo.InvariantCulture) is >= 0 and <= 100 and var n ? n : throw new FormatException();

    private static SizeBand ParseBand(string text)
    {
        var parts = text.Trim().Split(':', '-');
        return parts.Length == 3
            && long.Parse(parts[0], CultureInfo.InvariantCulture) is >= 0 and var min
            && long.Parse(parts[1], CultureInfo.InvariantCulture) is var max && max >= min
            ? new SizeBand(min, max, Points(parts[2]))
            : throw new FormatException();
    }
}
