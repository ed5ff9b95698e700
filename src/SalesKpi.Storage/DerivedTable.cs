using SalesKpi.Core;

namespace SalesKpi.Storage;

/// <summary>
/// A table the import keeps derived from canonical entities (<see cref="LeadMilestones"/>, <see cref="DealLeads"/>): its
/// rows are a query over those entities, rebuilt in full by the transaction that stores rows of any of them, so it never
/// disagrees with them, and computed over a rep's own rows in a scoped session (<see cref="OwnerScope"/>).
/// </summary>
/// <param name="Name">The table's name.</param>
/// <param name="Columns">The table's columns, in table order (a session view standing in for it must keep that order).</param>
/// <param name="DerivedFrom">The entities it is derived from: storing rows of any of them needs a <see cref="Rebuild"/>.</param>
/// <param name="Select">
/// The query of its rows (the <paramref name="Columns"/>, in order; no leading <c>WITH</c>, since PostgreSQL's migrations
/// tell a data change by its first word), given what to read each entity from: its table, or a parenthesised query.
/// </param>
/// <param name="Step">The import's progress step while it is rebuilt.</param>
public sealed record DerivedTable(string Name, IReadOnlyList<string> Columns, IReadOnlySet<string> DerivedFrom, Func<Func<string, string>, string> Select, Msg Step)
{
    /// <summary>Every derived table, in the order the import rebuilds them.</summary>
    public static IReadOnlyList<DerivedTable> All => [LeadMilestones.Derived, DealLeads.Derived];

    /// <summary>The statements replacing the table's rows by those computed from the stored entities.</summary>
    public IReadOnlyList<string> Rebuild() =>
    [
        $"DELETE FROM {Name}",
        $"INSERT INTO {Name} ({string.Join(", ", Columns)}) {Select(entity => entity)}",
    ];

    /// <summary>The statement shadowing the table with a session view computed from <paramref name="sources"/> (entity → query).</summary>
    public string ScopedView(ISqlDialect d, IReadOnlyDictionary<string, string> sources)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(sources);
        return d.CreateTempView(Name, Select(entity => $"({sources[entity]})"));
    }
}
