using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Archive.Documents;

/// <summary>
/// The <see cref="ILocationDocumentWriter"/> of this package (OpenXml, streamed): box labels (nhãn hộp) as DOCX, the
/// location report (báo cáo vị trí hồ sơ) as XLSX and DOCX, with the national heading, Times New Roman, A4.
/// </summary>
public sealed class OpenXmlLocationDocumentWriter : ILocationDocumentWriter
{
    /// <summary>The report's title.</summary>
    internal const string ReportTitle = "BÁO CÁO VỊ TRÍ HỒ SƠ";

    /// <inheritdoc />
    public int WriteBoxLabelsDocx(BoxLabelsDocument document, IEnumerable<BoxLabel> labels, Stream output)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(output);
        var count = 0;
        Docx.Write(output, "Nhãn hộp — " + document.RoomName, document.AgencyName, landscape: false, w =>
        {
            foreach (var label in labels)
            {
                ArgumentNullException.ThrowIfNull(label);
                if (count > 0)
                {
                    // Two labels to a page, each one whole.
                    w.WriteElement(count % 2 == 0 ? new Paragraph(new Run(new Break { Type = BreakValues.Page })) : Docx.P(string.Empty, after: 480));
                }

                w.WriteElement(Label(label));
                count++;
            }

            if (count == 0)
            {
                w.WriteElement(Docx.P("Không có hộp nào.", JustificationValues.Center, italic: true));
            }
        });
        return count;
    }

    /// <inheritdoc />
    public LocationReportTotals WriteLocationReportXlsx(LocationReportDocument document, IEnumerable<LocationReportRow> rows, Stream output)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(output);
        return XlsxLocationReportWriter.Write(document, rows, output);
    }

    /// <inheritdoc />
    public LocationReportTotals WriteLocationReportDocx(LocationReportDocument document, IEnumerable<LocationReportRow> rows, Stream output)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(output);
        LocationReportTotals? totals = null;
        Docx.Write(output, "Báo cáo vị trí hồ sơ", document.Heading.AgencyName, landscape: true, w =>
        {
            w.WriteElement(Docx.Heading(document.Heading, landscape: true));
            w.WriteElement(Docx.P(string.Empty));
            w.WriteElement(Docx.P(ReportTitle, JustificationValues.Center, bold: true, size: 14, after: 60));
            foreach (var s in document.Subtitles)
            {
                w.WriteElement(Docx.P(Fmt.Clean(s), JustificationValues.Center, size: 13));
            }

            w.WriteElement(Docx.P(string.Empty));
            totals = ReportTable(w, rows);
            w.WriteElement(Docx.P(string.Empty));
            w.WriteElement(Docx.P(TotalLine(totals), bold: true, size: 13, keepNext: true));
            if (document.Signatures.Count > 0)
            {
                w.WriteElement(Docx.P(string.Empty, keepNext: true));
                w.WriteElement(Docx.P(Fmt.PlaceAndDate(document.Heading.Place, document.Heading.Date), JustificationValues.Right, italic: true, size: 13, keepNext: true));
                w.WriteElement(Docx.Signatures(document.Signatures, landscape: true));
            }
        });
        return totals!;
    }

    /// <summary>"Tổng số: 12 (Mười hai) hồ sơ trong 3 hộp".</summary>
    internal static string TotalLine(LocationReportTotals totals)
        => "Tổng số: " + VietnameseNumber.FigureAndWords(totals.Files) + " hồ sơ trong " + Fmt.Number(totals.Boxes) + " hộp";

    /// <summary>The text of each column of a report row (the first, STT, is the row number).</summary>
    internal static string[] Cells(LocationReportRow r, int number) =>
    [
        number.ToString(CultureInfo.InvariantCulture),
        Fmt.Clean(r.RoomCode),
        Fmt.Clean(r.Shelf),
        Fmt.Clean(r.Compartment),
        Fmt.Clean(r.BoxNumber),
        r.PositionInBox?.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
        Fmt.Clean(r.FileNotation),
        Fmt.Clean(r.Title),
        Fmt.Clean(r.Years),
        Fmt.Clean(r.Retention),
    ];

    private static Table Label(BoxLabel label)
    {
        var width = Docx.TextWidth(landscape: false);
        var border = BorderValues.Double;
        Paragraph Line(string text, bool bold = false, int size = 14, int after = 60, bool italic = false)
            => Docx.P(text, JustificationValues.Center, bold: bold, italic: italic, size: size, after: after);

        var cell = new TableCell(
            new TableCellProperties(new TableCellWidth { Width = width.ToString(CultureInfo.InvariantCulture), Type = TableWidthUnitValues.Dxa }),
            Line(Fmt.Upper(label.AgencyName), bold: true, size: 14),
            Line(Fmt.Clean(label.FondsName), size: 14, after: 240),
            Line("HỘP SỐ", bold: true, size: 16),
            Line(Fmt.Clean(label.BoxNumber), bold: true, size: 40, after: 240),
            Line("Từ hồ sơ số: " + (label.FirstFile is { } first ? Fmt.Clean(first) : Fmt.Dots) + " đến hồ sơ số: " + (label.LastFile is { } last ? Fmt.Clean(last) : Fmt.Dots)),
            Line("Số lượng: " + Fmt.Number(label.Files) + " hồ sơ"),
            Line("Năm: " + (label.Years is { } y ? Fmt.Clean(y) : Fmt.Dots)),
            Line("Thời hạn lưu trữ: " + (label.Retention is { Length: > 0 } r ? Fmt.Clean(r) : Fmt.Dots), after: 120),
            Line(label.Place is { } place ? Fmt.Clean(place) : string.Empty, size: 11, italic: true));
        return new Table(
            new TableProperties(
                new TableWidth { Width = width.ToString(CultureInfo.InvariantCulture), Type = TableWidthUnitValues.Dxa },
                new TableBorders(new TopBorder { Val = border, Size = 6U }, new LeftBorder { Val = border, Size = 6U }, new BottomBorder { Val = border, Size = 6U }, new RightBorder { Val = border, Size = 6U }),
                new TableLayout { Type = TableLayoutValues.Fixed }),
            new TableGrid(new GridColumn { Width = width.ToString(CultureInfo.InvariantCulture) }),
            new TableRow(new TableRowProperties(new CantSplit()), cell));
    }

    private static LocationReportTotals ReportTable(OpenXmlWriter w, IEnumerable<LocationReportRow> rows)
    {
        // Landscape A4 text width (14003 twips) shared by the ten columns.
        int[] widths = [650, 1100, 750, 800, 800, 1000, 1500, 4703, 1300, 1400];
        var titles = LocationReportDocument.ColumnTitles.ToArray();
        Docx.StartRuledTable(w, widths);
        w.WriteElement(Row(titles, widths, Docx.TableHead, header: true));
        w.WriteElement(Row([.. titles.Select((_, i) => "(" + (i + 1).ToString(CultureInfo.InvariantCulture) + ")")], widths, Docx.TableHead, header: true));
        var files = 0;
        var boxes = new HashSet<(string, string)>();
        foreach (var r in rows)
        {
            ArgumentNullException.ThrowIfNull(r);
            files++;
            boxes.Add((r.RoomCode, r.BoxNumber));
            w.WriteElement(Row(Cells(r, files), widths, Docx.TableText, header: false));
        }

        w.WriteEndElement();
        return new LocationReportTotals(files, boxes.Count);
    }

    private static TableRow Row(string[] cells, int[] widths, string style, bool header)
    {
        var row = new TableRow(header ? new TableRowProperties(new TableHeader(), new CantSplit()) : new TableRowProperties(new CantSplit()));
        for (var i = 0; i < cells.Length; i++)
        {
            var p = new Paragraph(new ParagraphProperties(new ParagraphStyleId { Val = style }, new Justification { Val = i == 7 && !header ? JustificationValues.Left : JustificationValues.Center }));
            if (cells[i].Length > 0)
            {
                p.Append(Docx.R(cells[i]));
            }

            row.Append(new TableCell(
                new TableCellProperties(
                    new TableCellWidth { Width = widths[i].ToString(CultureInfo.InvariantCulture), Type = TableWidthUnitValues.Dxa },
                    new TableCellVerticalAlignment { Val = header ? TableVerticalAlignmentValues.Center : TableVerticalAlignmentValues.Top }),
                p));
        }

        return row;
    }
}
