using SalesKpi.Core;
using SalesKpi.Storage;

namespace SalesKpi.Import;

/// <summary>
/// One parsed cell, held without boxing until the whole row is known to be valid. Non-text values
/// share <see cref="Bits"/> (ticks, day number, integer, double bits, or money in units of 10⁻⁴), so a
/// cell is 24 bytes and a batch of parsed rows stays small.
/// </summary>
internal struct Cell
{
    private const decimal MoneyUnit = 10_000m;

    public bool HasValue;
    public string? Text;
    public long Bits;

    public DateTime Time
    {
        readonly get => new(Bits, DateTimeKind.Utc);
        set => Bits = value.Ticks;
    }

    public DateOnly Date
    {
        readonly get => DateOnly.FromDayNumber((int)Bits);
        set => Bits = value.DayNumber;
    }

    public double Number
    {
        readonly get => BitConverter.Int64BitsToDouble(Bits);
        set => Bits = BitConverter.DoubleToInt64Bits(value);
    }

    /// <summary>Money with at most <see cref="EntityCatalog.MoneyScale"/> decimals and below <see cref="EntityCatalog.MoneyLimit"/>, so ×10⁴ fits a long exactly.</summary>
    public decimal Money
    {
        readonly get => Bits / MoneyUnit;
        set => Bits = (long)(value * MoneyUnit);
    }

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
                writer.Add(HasValue ? Bits : (long?)null);
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
