namespace SalesKpi.Core;

/// <summary>
/// The language of user-facing text. Every message the product shows exists in English and Russian;
/// a <see cref="Msg"/> holds both and a host renders one.
/// </summary>
public enum Language
{
    /// <summary>English.</summary>
    En,

    /// <summary>Russian.</summary>
    Ru,
}
