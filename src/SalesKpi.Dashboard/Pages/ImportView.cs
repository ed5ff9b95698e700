using System.Globalization;
using SalesKpi.Core;
using SalesKpi.Import;

namespace SalesKpi.Dashboard.Pages;

/// <summary>
/// What the import page shows: the upload form (the built-in profiles to choose from and the server's upload limit)
/// and, after a submit, the outcome — a dry run's mapping, sample rows and validation summary with the button that
/// imports the same kept files, or a real import's <c>read = stored + rejected</c> report with the rejects links.
/// </summary>
/// <param name="Profiles">The built-in mapping profiles, as <c>saleskpi import --profile NAME</c> takes them.</param>
/// <param name="LimitBytes">The largest upload the server accepts (<c>--max-upload-mb</c>).</param>
/// <param name="Outcome">The last submit's outcome; null on the empty form.</param>
public sealed record ImportView(IReadOnlyList<string> Profiles, long LimitBytes, ImportOutcome? Outcome)
{
    /// <summary>The form value that asks the page to pick the profile from the file names.</summary>
    public const string AutoDetect = "auto";

    /// <summary>The upload limit in megabytes, for the page.</summary>
    public decimal LimitMegabytes => Math.Round(LimitBytes / (1024m * 1024m), 1);

    /// <summary>
    /// The built-in profile whose file patterns match any of <paramref name="fileNames"/> (e.g. <c>hubspot-deals*.csv</c>);
    /// null when none does — the files are then read as canonical CSV. The first in name order wins a tie.
    /// </summary>
    public static string? Detect(IEnumerable<string> fileNames)
    {
        var names = fileNames.Select(Path.GetFileName).OfType<string>().ToList();
        return MappingProfile.BuiltInNames.FirstOrDefault(p => names.Any(n => MappingProfile.Load(p).For(n) is not null));
    }

    /// <summary>
    /// How the columns of <paramref name="file"/> become canonical fields: with a profile, each mapped field and its
    /// rule; for canonical CSV, every field of the entity read from the column of the same name.
    /// </summary>
    public static IReadOnlyList<(string Field, string? Source, string? Const, IReadOnlyList<string>? Concat, bool Mapped)> Mapping(FileReport file, string? profile)
    {
        ArgumentNullException.ThrowIfNull(file);
        var entity = file.Entity is null ? null : EntityCatalog.Find(file.Entity);
        if (entity is null)
        {
            return [];
        }

        var mapping = profile is null ? null : MappingProfile.Load(profile).For(file.Path);
        if (mapping is null)
        {
            return [.. entity.Columns.Select(c => (c.Name, (string?)c.Name, (string?)null, (IReadOnlyList<string>?)null, true))];
        }

        return [.. entity.Columns.Select(c =>
        {
            var rule = mapping.Columns.TryGetValue(c.Name, out var yaml) ? ColumnRule.From(yaml) : null;
            return (c.Name, rule?.Source, rule?.Const, rule?.Concat, rule is not null);
        })];
    }

    /// <summary>A stored value of a sample row as text: dates and times in ISO form (UTC), numbers in <paramref name="culture"/>.</summary>
    public static string Cell(object? value, CultureInfo culture) => value switch
    {
        null => "—",
        DateTime t => t.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC",
        DateOnly day => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC",
        bool b => b ? "true" : "false",
        // Money is stored with four decimals; a preview shows the digits the value has, grouped for the reader.
        decimal m => m.ToString("#,0.####", culture),
        IFormattable x => x.ToString(null, culture),
        _ => value.ToString() ?? string.Empty,
    };
}

/// <summary>The outcome of one submit of the import page.</summary>
/// <param name="Upload">The upload's id (its kept files for a dry run, its rejects files after an import).</param>
/// <param name="Profile">The profile the files were read with; null for canonical CSV.</param>
/// <param name="Detected">Whether the profile was chosen from the file names.</param>
/// <param name="Strict">Whether one rejected row stores nothing.</param>
/// <param name="Report">The importer's report, exactly as <c>saleskpi import</c> and <c>POST /api/v1/imports</c> give it.</param>
/// <param name="Labels">The names the files were uploaded under, by saved path.</param>
public sealed record ImportOutcome(string Upload, string? Profile, bool Detected, bool Strict, ImportReport Report, IReadOnlyDictionary<string, string> Labels)
{
    /// <summary>The name a file was uploaded under.</summary>
    public string Label(string path) => Labels.TryGetValue(path, out var l) ? l : Path.GetFileName(path);
}
