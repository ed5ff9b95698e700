using SalesKpi.Core;
using SalesKpi.Storage;

namespace SalesKpi.Import;

/// <summary>One parsed cell, held without boxing until the whole row is known to be valid.</summary>
internal struct Cell
{
    public bool HasValue;
    public string? Text;
    public DateTime Time;
    public DateOnly Date;
    public long Integer;
    public double Number;
    public decimal Money;

    public readonly void WriteTo(IBulkWriter writer, ColumnType type)
    {
        switch (type)
        {
            case ColumnType.Text or ColumnType.Enum or ColumnType.Currency:
                writer.Add(HasValue ? Text : null);
                break;
            case ColumnType.Timestamp:
                writer.Add(HasValue ? Time : (DateTime?)null);
                break;
            case ColumnType.Date:
                writer.Add(HasValue ? Date : (DateOnly?)null);
                break;
            case ColumnType.Integer:
                writer.Add(HasValue ? Integer : (long?)null);
                break;
            case ColumnType.Number:
                writer.Add(HasValue ? Number : (double?)null);
                break;
            case ColumnType.Money:
                writer.Add(HasValue ? Money : (decimal?)null);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, null);
        }
    }
}
