using System.Globalization;
using SalesKpi.Dashboard.Pages;

namespace SalesKpi.Tests.Web;

/// <summary>How the import page's preview writes stored values.</summary>
public sealed class ImportPreviewTests
{
    [Fact]
    public void Stored_money_is_previewed_with_the_digits_it_has_grouped_for_the_reader()
    {
        ImportView.Cell(136000.0000m, CultureInfo.GetCultureInfo("en-US")).ShouldBe("136,000");
        ImportView.Cell(1234.5000m, CultureInfo.GetCultureInfo("en-US")).ShouldBe("1,234.5");
        ImportView.Cell(1234.5600m, CultureInfo.GetCultureInfo("ru-RU")).ShouldBe("1\u00A0234,56");
    }
}
