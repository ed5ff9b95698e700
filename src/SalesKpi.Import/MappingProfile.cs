using System.Text.RegularExpressions;
using SalesKpi.Core;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace SalesKpi.Import;

/// <summary>
/// A mapping profile: how the files of one source (a CRM's export, a spreadsheet, a public data set)
/// become canonical entities. Loaded from YAML; see docs/profiles.md.
/// </summary>
public sealed record MappingProfile
{
    /// <summary>Profile name, for messages.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>One mapping per kind of source file.</summary>
    public List<FileMapping> Files { get; init; } = [];

    /// <summary>Names of the built-in profiles: amocrm, bitrix24, hubspot, pipedrive, salesforce.</summary>
    public static IReadOnlyList<string> BuiltInNames =>
        [.. typeof(MappingProfile).Assembly.GetManifestResourceNames().Where(n => n.StartsWith("profiles/", StringComparison.Ordinal)).Select(n => n[9..^5]).Order(StringComparer.Ordinal)];

    /// <summary>The YAML of the built-in profile <paramref name="name"/>, or null.</summary>
    public static string? BuiltIn(string name)
    {
        using var stream = typeof(MappingProfile).Assembly.GetManifestResourceStream("profiles/" + name.Trim().ToLowerInvariant() + ".yaml");
        if (stream is null)
        {
            return null;
        }

        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The mapping whose <see cref="FileMapping.Match"/> fits the file name, or null.</summary>
    public FileMapping? For(string path) =>
        Files.FirstOrDefault(f => f.Match.Length > 0 && f.Matches(Path.GetFileName(path)));

    /// <summary>
    /// The mapping for a file: the first whose name pattern fits, else the one its header row fits best
    /// (<see cref="FileMapping.Fit"/>), whatever the file is called (<c>export (3).csv</c>). Null when neither places it,
    /// or when two mappings fit the headers equally well.
    /// </summary>
    public FileMapping? For(string path, IReadOnlyCollection<string>? headers)
    {
        // A name that fits a pattern decides, unless the headers say it is another entity of the profile (a report
        // export called Opportunity.csv is not the Data Export's Opportunity.csv).
        var byName = Files.Where(f => f.Match.Length > 0 && f.Matches(Path.GetFileName(path))).ToList();
        if (headers is null)
        {
            return byName.FirstOrDefault();
        }

        if (byName.FirstOrDefault(f => f.Fit(headers) is not null) is { } named)
        {
            return named;
        }

        var fits = Files.Select(f => (File: f, Score: f.Fit(headers))).Where(x => x.Score is not null).OrderByDescending(x => x.Score).ToList();
        return fits.Count switch
        {
            0 => byName.FirstOrDefault(),
            1 => fits[0].File,
            _ => fits[0].Score > fits[1].Score ? fits[0].File : null,
        };
    }

    /// <summary>Why no mapping places a file: what each expects (its required headers, alternatives joined by "or") and what the file has.</summary>
    public Msg Unplaced(IReadOnlyCollection<string>? headers)
    {
        var expected = string.Join("; ", Files.Select(f => f.Entity + ": " + string.Join(", ", f.Columns.Values.Select(ColumnRule.From).OfType<ColumnRule>()
            .Where(r => !r.Optional && r.Const is null).Select(r => string.Join(" | ", r.Sources.Count > 0 ? r.Sources : [.. r.Headers])).Distinct(StringComparer.OrdinalIgnoreCase))));
        return Msg.Of(
            "file.no_profile_fit",
            "neither the name nor the header row places this file in profile '{0}'. Each entity expects these headers (| separates alternatives): {1}. The file has: {2}",
            "ни имя, ни строка заголовка не сопоставляют файл профилю «{0}». Сущности ожидают заголовки (| разделяет варианты): {1}. В файле: {2}",
            Name,
            expected,
            headers is null ? "—" : string.Join(", ", headers));
    }

    /// <summary>
    /// Loads a profile from YAML. Throws <see cref="SalesKpiException"/> naming the file, line and column
    /// of a syntax error, and listing every mapping problem found (unknown entity or column, a mapping
    /// without a source, a required canonical column left unmapped).
    /// </summary>
    public static MappingProfile Load(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        string yaml;
        if (File.Exists(full))
        {
            yaml = File.ReadAllText(full);
        }
        else if (BuiltIn(path) is { } text)
        {
            (full, yaml) = (path, text);
        }
        else
        {
            throw new SalesKpiException(Msg.Of(
                "profile.missing",
                "Profile {0} does not exist: give the path of a .yaml mapping profile or a built-in one: {1}.",
                "Профиль {0} не существует: укажите путь к YAML-профилю или встроенный: {1}.",
                full, string.Join(", ", BuiltInNames)));
        }

        MappingProfile profile;
        try
        {
            var deserializer = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
            profile = deserializer.Deserialize<MappingProfile>(yaml) ?? new MappingProfile();
        }
        catch (YamlException ex)
        {
            throw new SalesKpiException(Msg.Of("profile.yaml_error", "{0}, line {1}, column {2}: {3}", "{0}, строка {1}, столбец {2}: {3}", full, ex.Start.Line, ex.Start.Column, (ex.InnerException ?? ex).Message), ex);
        }

        var problems = new List<Msg>();
        foreach (var (f, i) in profile.Files.Select((f, i) => (f, i + 1)))
        {
            var entity = EntityCatalog.Find(f.Entity ?? string.Empty);
            if (entity is null)
            {
                problems.Add(Msg.Of("profile.unknown_entity", "files[{0}]: entity '{1}' is not one of {2}", "files[{0}]: сущность «{1}» — не одна из {2}", i, f.Entity, string.Join(", ", EntityCatalog.All.Select(e => e.Name))));
                continue;
            }

            foreach (var (column, rule) in f.Columns)
            {
                if (entity.Find(column) is null)
                {
                    problems.Add(Msg.Of("profile.unknown_column", "files[{0}] ({1}): '{2}' is not a column of {1}", "files[{0}] ({1}): «{2}» — не столбец {1}", i, entity.Name, column));
                }

                if (ColumnRule.From(rule) is null)
                {
                    problems.Add(Msg.Of("profile.bad_rule", "files[{0}] ({1}).{2}: give a source column (or a list of alternatives), or one of source, const, concat, coalesce, cases (with map, default, optional, zone)", "files[{0}] ({1}).{2}: укажите столбец источника (или список вариантов) или source, const, concat, coalesce, cases (и map, default, optional, zone)", i, entity.Name, column));
                }
                else if (ColumnRule.From(rule)!.Zone is { } zone && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
                {
                    problems.Add(Msg.Of("profile.bad_zone", "files[{0}] ({1}).{2}: zone '{3}' is not a time zone (UTC, Europe/Moscow…)", "files[{0}] ({1}).{2}: зона «{3}» — не часовой пояс (UTC, Europe/Moscow…)", i, entity.Name, column, zone));
                }
            }

            foreach (var required in entity.Columns.Where(c => c.Required && !f.Columns.ContainsKey(c.Name)))
            {
                problems.Add(Msg.Of("profile.required_unmapped", "files[{0}] ({1}): required column '{2}' is not mapped", "files[{0}] ({1}): обязательный столбец «{2}» не сопоставлен", i, entity.Name, required.Name));
            }
        }

        return problems.Count == 0
            ? profile with { Name = profile.Name.Length > 0 ? profile.Name : System.IO.Path.GetFileNameWithoutExtension(full) }
            : throw new SalesKpiException(Msg.Of("profile.invalid", "Profile {0} has problems: {1}.", "В профиле {0} ошибки: {1}.", full, Msg.Join("; ", problems)));
    }
}

/// <summary>How one kind of source file maps to one canonical entity.</summary>
public sealed record FileMapping
{
    /// <summary>
    /// File-name pattern (<c>*</c> and <c>?</c> wildcards, case-insensitive; default <c>*</c>, every name); empty: the file
    /// is placed by its header row only (<see cref="Fit"/>), which is also how a file whose name fits no pattern is placed.
    /// </summary>
    public string Match { get; init; } = "*";

    /// <summary>The canonical entity.</summary>
    public string? Entity { get; init; }

    /// <summary>For .xlsx files: the worksheet to read; null for the first.</summary>
    public string? Sheet { get; init; }

    /// <summary><c>auto</c> (default: the most frequent of <c>,</c> <c>;</c> tab in the header line), <c>,</c>, <c>;</c> or <c>tab</c>.</summary>
    public string Delimiter { get; init; } = "auto";

    /// <summary><c>auto</c> (default: see <see cref="SourceFormat.Detect"/>), <c>utf-8</c>, <c>utf-16</c>, <c>utf-16be</c>, <c>windows-1251</c>, <c>windows-1252</c> or <c>latin-1</c>.</summary>
    public string Encoding { get; init; } = "auto";

    /// <summary>Date formats of the source (.NET custom formats such as <c>dd.MM.yyyy HH:mm</c>), tried in order after the canonical form.</summary>
    public List<string> DateFormats { get; init; } = [];

    /// <summary>
    /// Texts that mean "no value" in this source (<c>не закрыта</c>, <c>N/A</c>…), matched case-insensitively after
    /// trimming, besides the built-in ones (<see cref="MappedSource.BuiltInEmptyValues"/>): such a value is read as empty.
    /// </summary>
    public List<string> EmptyValues { get; init; } = [];

    /// <summary>
    /// Patterns (<c>*</c> and <c>?</c>) of report footer lines (<c>Grand Totals*</c>): a record whose first field fits one is
    /// skipped with a note, not rejected. Make them specific: a data row whose first field fits one would be skipped too.
    /// </summary>
    public List<string> Footer { get; init; } = [];

    /// <summary>Canonical column → source column name, or a rule with source, const, concat, map and default.</summary>
    public Dictionary<string, object> Columns { get; init; } = [];

    /// <summary>True when <paramref name="fileName"/> fits <see cref="Match"/>.</summary>
    public bool Matches(string fileName) => Fits(Match, fileName);

    /// <summary>True when <paramref name="text"/> fits the wildcard <paramref name="pattern"/> (<c>*</c>, <c>?</c>; case-insensitive).</summary>
    public static bool Fits(string pattern, string text) =>
        Regex.IsMatch(text, "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>
    /// How well a file with <paramref name="headers"/> fits this mapping: null when a column the mapping requires (a
    /// rule that is not optional) has none of its sources in the file; else the number of mapped columns whose source
    /// is there, so that among the fitting mappings the one that uses most of the file wins.
    /// </summary>
    public int? Fit(IReadOnlyCollection<string> headers)
    {
        var have = new HashSet<string>(headers.Select(h => h.Trim()), StringComparer.OrdinalIgnoreCase);
        var score = 0;
        foreach (var rule in Columns.Values.Select(ColumnRule.From).OfType<ColumnRule>())
        {
            if (rule.Const is not null)
            {
                continue;
            }

            if (rule.FindsSources(have.Contains))
            {
                score++;
            }
            else if (!rule.Optional)
            {
                return null;
            }
        }

        return score;
    }
}

/// <summary>
/// A <see cref="ColumnRule.Lookup"/>: the file <see cref="File"/> beside the imported one (same folder; CSV, any encoding
/// and delimiter) is read once, and a value equal to its column <see cref="Key"/> becomes that row's <see cref="Value"/>.
/// A value the file lacks is kept as it is, and counted in a note; a missing file is a note too, and the values are kept.
/// </summary>
/// <param name="File">The file name, e.g. <c>User.csv</c>.</param>
/// <param name="Key">Its column holding the values to replace (e.g. <c>Id</c>).</param>
/// <param name="Value">Its column holding the replacements (e.g. <c>Name</c>).</param>
public sealed record RuleLookup(string File, string Key, string Value);

/// <summary>One case of a <see cref="ColumnRule.Cases"/> rule: when source column <see cref="Column"/> equals <see cref="EqualsValue"/> (case-insensitive, trimmed), the value is <see cref="Value"/>.</summary>
/// <param name="Column">The source column tested.</param>
/// <param name="EqualsValue">The text it must hold.</param>
/// <param name="Value">The value produced.</param>
public sealed record RuleCase(string Column, string EqualsValue, string Value);

/// <summary>
/// One canonical column's rule, read from the profile's loose YAML shape (docs/profiles.md).
/// </summary>
/// <param name="Sources">Alternative source headers: the first one the file has is taken (exports of the same CRM name a column differently by portal or version). Empty for const, concat, coalesce and cases rules.</param>
/// <param name="Const">Constant value.</param>
/// <param name="Concat">Parts joined: <c>$column</c> takes a source column, anything else is literal text.</param>
/// <param name="Map">Value map (matched case-insensitively after trimming).</param>
/// <param name="Default">Value when the map has no entry (without it, the value passes unchanged).</param>
/// <param name="Optional">When true and no source of the rule is in the file, the column is left empty with one warning instead of rejecting the file.</param>
/// <param name="Coalesce">Source columns tried in order per row: the first non-empty value is taken (columns the file lacks are skipped).</param>
/// <param name="Cases">Conditions on other columns tried in order per row (status from the flags IsClosed and IsWon); <see cref="Default"/> when none holds.</param>
/// <param name="Zone">The time zone of a timestamp column's values (<c>UTC</c> for Salesforce's GMT timestamps); null: the workspace's zone, as canonical files.</param>
/// <param name="Lookup">A second file of the export that turns the value into another (owner id → name through Salesforce's <c>User.csv</c>); null for none.</param>
public sealed record ColumnRule(IReadOnlyList<string> Sources, string? Const, IReadOnlyList<string>? Concat, IReadOnlyDictionary<string, string>? Map, string? Default, bool Optional = false, IReadOnlyList<string>? Coalesce = null, IReadOnlyList<RuleCase>? Cases = null, string? Zone = null, RuleLookup? Lookup = null)
{
    /// <summary>The first source header, for rules that take one column; null for other rules.</summary>
    public string? Source => Sources.Count > 0 ? Sources[0] : null;

    /// <summary>Every source header the rule may read (alternatives, concatenated columns, coalesced and tested columns).</summary>
    public IEnumerable<string> Headers =>
        Sources.Concat(Concat?.Where(p => p.StartsWith('$')).SelectMany(Alternatives) ?? []).Concat(Coalesce ?? []).Concat(Cases?.Select(c => c.Column) ?? []);

    /// <summary>
    /// Whether a file whose headers <paramref name="has"/> answers for gives this rule its sources: one of the
    /// alternatives; every concatenated column (each through one of its <c>$A|B</c> alternatives); any column of a
    /// coalesce or cases rule. A constant needs none.
    /// </summary>
    public bool FindsSources(Func<string, bool> has) =>
        Const is not null
        || (Sources.Count > 0 ? Sources.Any(has)
            : Concat is not null ? Concat.Where(p => p.StartsWith('$')).All(p => Alternatives(p).Any(has))
            : Headers.Any(has));

    /// <summary>The alternative headers of a concatenation part: <c>$Record ID|Record ID - Contact</c>.</summary>
    public static IEnumerable<string> Alternatives(string part) => part[1..].Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// Reads a rule: a plain string is a source column, a list of strings alternative source columns; a mapping has
    /// the keys source (a header or a list of alternatives), const, concat, coalesce, cases, map, default, optional and
    /// zone. Null when none gives a value.
    /// </summary>
    public static ColumnRule? From(object? yaml)
    {
        switch (yaml)
        {
            case string column when column.Length > 0:
                return new ColumnRule([column], null, null, null, null);
            case IList<object> alternatives when alternatives.Count > 0:
                return new ColumnRule([.. alternatives.Select(a => a?.ToString() ?? string.Empty)], null, null, null, null);
            case IDictionary<object, object> d:
                string? S(string key) => d.TryGetValue(key, out var v) ? v?.ToString() : null;
                List<string>? L(string key) => d.TryGetValue(key, out var v) && v is IList<object> list ? [.. list.Select(x => x?.ToString() ?? string.Empty)] : null;
                var sources = d.TryGetValue("source", out var src) ? src switch
                {
                    IList<object> list => [.. list.Select(x => x?.ToString() ?? string.Empty)],
                    null => [],
                    _ => new List<string> { src.ToString()! },
                }
                : [];
                var map = d.TryGetValue("map", out var m) && m is IDictionary<object, object> md
                    ? md.ToDictionary(kv => kv.Key.ToString()!.Trim(), kv => kv.Value?.ToString() ?? string.Empty, StringComparer.OrdinalIgnoreCase)
                    : null;
                var cases = d.TryGetValue("cases", out var cs) && cs is IList<object> cl
                    ? cl.OfType<IDictionary<object, object>>().Select(c => new RuleCase(
                        c.TryGetValue("column", out var col) ? col?.ToString() ?? string.Empty : string.Empty,
                        c.TryGetValue("equals", out var eq) ? eq?.ToString() ?? string.Empty : string.Empty,
                        c.TryGetValue("value", out var val) ? val?.ToString() ?? string.Empty : string.Empty)).ToList()
                    : null;
                var optional = S("optional") is { } o && bool.TryParse(o, out var b) && b;
                var lookup = d.TryGetValue("lookup", out var lk) && lk is IDictionary<object, object> ld
                    ? new RuleLookup(ld.TryGetValue("file", out var lf) ? lf?.ToString() ?? string.Empty : string.Empty, ld.TryGetValue("key", out var lkey) ? lkey?.ToString() ?? string.Empty : string.Empty, ld.TryGetValue("value", out var lv) ? lv?.ToString() ?? string.Empty : string.Empty)
                    : null;
                var rule = new ColumnRule(sources, S("const"), L("concat"), map, S("default"), optional, L("coalesce"), cases, S("zone"), lookup);
                return rule.Sources.Count == 0 && rule.Const is null && rule.Concat is null && rule.Coalesce is null && rule.Cases is null ? null : rule;
            default:
                return null;
        }
    }
}
