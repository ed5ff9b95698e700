using System.Collections.Immutable;

namespace SalesKpi.Core;

/// <summary>The value type of a canonical column, which decides how a cell is parsed and stored.</summary>
public enum ColumnType
{
    /// <summary>Free text, trimmed; empty is missing.</summary>
    Text,

    /// <summary>
    /// An instant: <c>YYYY-MM-DD</c>, <c>YYYY-MM-DD[T| ]HH:MM[:SS[.fff]]</c>, optionally with <c>Z</c> or
    /// <c>±HH:MM</c>. Without an offset it is local time in the workspace time zone. Stored as UTC.
    /// </summary>
    Timestamp,

    /// <summary>A calendar day <c>YYYY-MM-DD</c> in the workspace time zone.</summary>
    Date,

    /// <summary>A whole number (64-bit).</summary>
    Integer,

    /// <summary>A non-money number (<c>.</c> as decimal separator, no exponent).</summary>
    Number,

    /// <summary>Money: a decimal with at most <see cref="EntityCatalog.MoneyScale"/> fractional digits, never a float.</summary>
    Money,

    /// <summary>One of a fixed set of lower-case words (<see cref="ColumnDef.EnumValues"/>), matched case-insensitively.</summary>
    Enum,

    /// <summary>An ISO 4217 currency code: three letters, stored upper-case.</summary>
    Currency,
}

/// <summary>
/// One column of a canonical file. <see cref="Min"/> and <see cref="Max"/> are inclusive bounds for
/// numeric types and are null when the column is unbounded on that side.
/// </summary>
public sealed record ColumnDef
{
    /// <summary>The column name as it appears in the header (matched case-insensitively) and in the store.</summary>
    public required string Name { get; init; }

    /// <summary>How the cell is parsed.</summary>
    public required ColumnType Type { get; init; }

    /// <summary>True when a row without a value is rejected.</summary>
    public bool Required { get; init; }

    /// <summary>Inclusive lower bound of numeric values; null for none.</summary>
    public decimal? Min { get; init; }

    /// <summary>Inclusive upper bound of numeric values; null for none.</summary>
    public decimal? Max { get; init; }

    /// <summary>The allowed values of an <see cref="ColumnType.Enum"/> column; empty otherwise.</summary>
    public ImmutableArray<string> EnumValues { get; init; } = [];
}

/// <summary>A row-level rule: <see cref="Column"/> must have a value when <see cref="WhenColumn"/> has one of <see cref="WhenValues"/>.</summary>
/// <param name="Column">The conditionally required column.</param>
/// <param name="WhenColumn">The column whose value triggers the requirement.</param>
/// <param name="WhenValues">Values of <paramref name="WhenColumn"/> that make <paramref name="Column"/> required.</param>
public sealed record RequiredWhen(string Column, string WhenColumn, ImmutableArray<string> WhenValues);

/// <summary>A warning rule: when both are set, <see cref="Later"/> should not be before <see cref="Earlier"/>.</summary>
/// <param name="Later">The column expected to hold the later instant.</param>
/// <param name="Earlier">The column expected to hold the earlier instant.</param>
public sealed record TimeOrder(string Later, string Earlier);

/// <summary>A warning rule: a non-empty <see cref="Column"/> should name an existing row of <see cref="Target"/>.</summary>
/// <param name="Column">The referencing column.</param>
/// <param name="Target">The referenced entity; its single key column is matched.</param>
public sealed record Reference(string Column, string Target);

/// <summary>
/// One canonical entity (one CSV file, one stored table). Rows are identified by <see cref="Key"/>;
/// importing a row whose key is already stored replaces it. When <see cref="SumColumn"/> is set,
/// rows with the same key inside one file are summed on that column instead of being duplicates.
/// </summary>
public sealed record EntityDef
{
    /// <summary>Entity name, also the table name and the file stem (<c>leads</c> for <c>leads.csv</c>).</summary>
    public required string Name { get; init; }

    /// <summary>All columns in canonical order.</summary>
    public required ImmutableArray<ColumnDef> Columns { get; init; }

    /// <summary>The key columns; a key column may be empty only where it is not required (spend's channel, campaign).</summary>
    public required ImmutableArray<string> Key { get; init; }

    /// <summary>The column that dates a row (used by <c>status</c> for the date range).</summary>
    public required string DateColumn { get; init; }

    /// <summary>Money column summed over same-key rows inside one file; null when same-key rows are duplicates.</summary>
    public string? SumColumn { get; init; }

    /// <summary>Conditionally required columns (row errors).</summary>
    public ImmutableArray<RequiredWhen> RequiredWhen { get; init; } = [];

    /// <summary>Time-order checks (warnings).</summary>
    public ImmutableArray<TimeOrder> TimeOrders { get; init; } = [];

    /// <summary>Reference checks (warnings).</summary>
    public ImmutableArray<Reference> References { get; init; } = [];

    /// <summary>Returns the column of that name (case-insensitive), or null.</summary>
    public ColumnDef? Find(string name) =>
        Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Returns the column of that name or throws for a programming error.</summary>
    public ColumnDef this[string name] =>
        Find(name) ?? throw new ArgumentException($"Entity {Name} has no column {name}.", nameof(name));
}

/// <summary>
/// The canonical data contract: the eight entities users import and the rules of each.
/// This is the single source from which the store's tables, the import's validation and the docs derive.
/// </summary>
public static class EntityCatalog
{
    /// <summary>Fractional digits kept for money; a value with more is rejected as out of range.</summary>
    public const int MoneyScale = 4;

    /// <summary>Largest absolute money value accepted (fits DECIMAL(18,4)).</summary>
    public const decimal MoneyLimit = 99_999_999_999_999m;

    private static ColumnDef Text(string name, bool required = false) => new() { Name = name, Type = ColumnType.Text, Required = required };

    private static ColumnDef Ts(string name, bool required = false) => new() { Name = name, Type = ColumnType.Timestamp, Required = required };

    /// <summary>Leads: one row per potential customer's first contact.</summary>
    public static readonly EntityDef Leads = new()
    {
        Name = "leads",
        Key = ["lead_id"],
        DateColumn = "created_at",
        Columns =
        [
            Text("lead_id", true), Ts("created_at", true), Text("channel"), Text("campaign"), Text("owner"),
            Text("segment"), Text("region"), Text("industry"), Text("company"),
            new() { Name = "company_size", Type = ColumnType.Integer, Min = 0 },
            Text("job_title"), Text("need"),
            new() { Name = "quality_score", Type = ColumnType.Number, Min = 0, Max = 100 },
            Ts("first_response_at"), Ts("qualified_at"), Ts("disqualified_at"), Text("disqualification_reason"),
        ],
        TimeOrders = [new("first_response_at", "created_at"), new("qualified_at", "created_at"), new("disqualified_at", "created_at")],
    };

    /// <summary>Deals (opportunities).</summary>
    public static readonly EntityDef Deals = new()
    {
        Name = "deals",
        Key = ["deal_id"],
        DateColumn = "created_at",
        Columns =
        [
            Text("deal_id", true), Ts("created_at", true),
            new() { Name = "status", Type = ColumnType.Enum, Required = true, EnumValues = ["open", "won", "lost"] },
            Ts("closed_at"),
            new() { Name = "amount", Type = ColumnType.Money, Min = 0 },
            new() { Name = "currency", Type = ColumnType.Currency },
            Text("lead_id"), Text("customer_id"), Text("owner"), Text("service_line"), Text("segment"), Text("region"),
            Text("stage"), Text("lost_reason"),
        ],
        RequiredWhen = [new("closed_at", "status", ["won", "lost"]), new("amount", "status", ["won"])],
        TimeOrders = [new("closed_at", "created_at")],
        References = [new("lead_id", "leads"), new("customer_id", "customers")],
    };

    /// <summary>Stage history of deals: one row per stage entry.</summary>
    public static readonly EntityDef DealStages = new()
    {
        Name = "deal_stages",
        Key = ["deal_id", "stage", "entered_at"],
        DateColumn = "entered_at",
        Columns = [Text("deal_id", true), Text("stage", true), Ts("entered_at", true)],
        References = [new("deal_id", "deals")],
    };

    /// <summary>Calls, meetings, e-mails, tasks.</summary>
    public static readonly EntityDef Activities = new()
    {
        Name = "activities",
        Key = ["activity_id"],
        DateColumn = "occurred_at",
        Columns =
        [
            Text("activity_id", true), Ts("occurred_at", true),
            new() { Name = "type", Type = ColumnType.Enum, Required = true, EnumValues = ["call", "meeting", "email", "task", "other"] },
            Text("lead_id"), Text("deal_id"), Text("owner"),
            new() { Name = "direction", Type = ColumnType.Enum, EnumValues = ["inbound", "outbound"] },
            new() { Name = "duration_minutes", Type = ColumnType.Number, Min = 0 },
        ],
        References = [new("lead_id", "leads"), new("deal_id", "deals")],
    };

    /// <summary>Marketing cost; same-key rows in one file are summed.</summary>
    public static readonly EntityDef Spend = new()
    {
        Name = "spend",
        Key = ["date", "channel", "campaign"],
        DateColumn = "date",
        SumColumn = "amount",
        Columns =
        [
            new() { Name = "date", Type = ColumnType.Date, Required = true },
            new() { Name = "amount", Type = ColumnType.Money, Required = true, Min = 0 },
            Text("channel"), Text("campaign"),
        ],
    };

    /// <summary>Paying customers.</summary>
    public static readonly EntityDef Customers = new()
    {
        Name = "customers",
        Key = ["customer_id"],
        DateColumn = "acquired_at",
        Columns =
        [
            Text("customer_id", true), Ts("acquired_at", true), Ts("churned_at"),
            Text("name"), Text("segment"), Text("region"), Text("channel"),
        ],
        TimeOrders = [new("churned_at", "acquired_at")],
    };

    /// <summary>Invoices or payments; negative amounts are credit notes.</summary>
    public static readonly EntityDef Revenue = new()
    {
        Name = "revenue",
        Key = ["invoice_id"],
        DateColumn = "date",
        Columns =
        [
            Text("invoice_id", true), Text("customer_id", true),
            new() { Name = "date", Type = ColumnType.Date, Required = true },
            new() { Name = "amount", Type = ColumnType.Money, Required = true },
            new() { Name = "cost", Type = ColumnType.Money, Min = 0 },
        ],
        References = [new("customer_id", "customers")],
    };

    /// <summary>Net Promoter Score answers.</summary>
    public static readonly EntityDef Nps = new()
    {
        Name = "nps",
        Key = ["response_id"],
        DateColumn = "responded_at",
        Columns =
        [
            Text("response_id", true), Ts("responded_at", true),
            new() { Name = "score", Type = ColumnType.Integer, Required = true, Min = 0, Max = 10 },
            Text("customer_id"), Text("comment"),
        ],
        References = [new("customer_id", "customers")],
    };

    /// <summary>All entities, in an order where referenced entities come first.</summary>
    public static readonly ImmutableArray<EntityDef> All = [Leads, Customers, Deals, DealStages, Activities, Spend, Revenue, Nps];

    /// <summary>Returns the entity of that name (case-insensitive), or null.</summary>
    public static EntityDef? Find(string name) =>
        All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Recognises the entity of a file from its name: the stem must be an entity name, optionally
    /// followed by <c>-</c>, <c>_</c>, <c>.</c> or a digit and anything (<c>leads-2025.csv</c>, <c>spend2.csv</c>);
    /// a letter after the name makes another word (<c>leadsheet.csv</c> is no entity). Longest match wins,
    /// so <c>deal_stages.csv</c> is never taken for <c>deals</c>. Null when no entity matches.
    /// </summary>
    public static EntityDef? FromFileName(string fileName)
    {
        var stem = Path.GetFileNameWithoutExtension(fileName);
        EntityDef? best = null;
        foreach (var e in All)
        {
            if (!stem.StartsWith(e.Name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (stem.Length > e.Name.Length && stem[e.Name.Length] is not ('-' or '_' or '.' or (>= '0' and <= '9')))
            {
                continue;
            }

            if (best is null || e.Name.Length > best.Name.Length)
            {
                best = e;
            }
        }

        return best;
    }
}
