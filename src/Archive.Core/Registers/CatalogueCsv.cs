using System.Globalization;
using System.Text;
using Archive.Documents;

namespace Archive.Registers;

/// <summary>
/// A catalogue as CSV for other systems: UTF-8 with a byte-order mark (so spreadsheet programs read Vietnamese
/// correctly), comma-separated, CRLF line ends, fields quoted when they hold a comma, quote or line break (RFC 4180);
/// one header row with the printed form's column titles (<see cref="CatalogueDocument.Columns"/>), one row per record file (or document), no heading block or total lines;
/// dates as dd/MM/yyyy. A field starting with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage return is
/// prefixed with an apostrophe, so that no spreadsheet program runs it as a formula (CSV injection, OWASP). Rows are
/// written as they come.
/// </summary>
internal static class CatalogueCsv
{
    public static CatalogueTotals Write(CatalogueDocument document, IEnumerable<CatalogueEntry> entries, Stream output)
    {
        using var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 65536, leaveOpen: true) { NewLine = "\r\n" };
        WriteRow(writer, document.ColumnTitles);
        var columns = document.Columns;
        var fields = new string?[columns.Count];
        int total = 0, permanent = 0;
        long sheets = 0, pages = 0;
        foreach (var e in entries)
        {
            total++;
            permanent += e.IsPermanent ? 1 : 0;
            sheets += e.Sheets ?? 0;
            pages += e.Pages ?? 0;
            for (var i = 0; i < columns.Count; i++)
            {
                fields[i] = columns[i] switch
                {
                    CatalogueColumn.Number => total.ToString(CultureInfo.InvariantCulture),
                    CatalogueColumn.Notation => e.FileNotation,
                    CatalogueColumn.Title => e.Title,
                    CatalogueColumn.StartDate => Date(e.StartDate),
                    CatalogueColumn.EndDate => Date(e.EndDate),
                    CatalogueColumn.Retention => e.Retention,
                    CatalogueColumn.Sheets => e.Sheets?.ToString(CultureInfo.InvariantCulture),
                    CatalogueColumn.Pages => e.Pages?.ToString(CultureInfo.InvariantCulture),
                    CatalogueColumn.Creator => e.Creator,
                    CatalogueColumn.Position => e.Position,
                    _ => e.Notes,
                };
            }

            WriteRow(writer, fields);
        }

        writer.Flush();
        return new CatalogueTotals(total, permanent, total - permanent, sheets, pages);
    }

    private static string Date(DateOnly? date) => date?.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture) ?? string.Empty;

    private static void WriteRow(StreamWriter writer, IReadOnlyList<string?> fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                writer.Write(',');
            }

            var field = fields[i] ?? string.Empty;
            if (field.Length > 0 && field[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
            {
                field = "'" + field;
            }

            if (field.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                writer.Write('"');
                writer.Write(field.Replace("\"", "\"\"", StringComparison.Ordinal));
                writer.Write('"');
            }
            else
            {
                writer.Write(field);
            }
        }

        writer.WriteLine();
    }
}
