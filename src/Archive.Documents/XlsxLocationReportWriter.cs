using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Archive.Documents;

/// <summary>Writes the location report (báo cáo vị trí hồ sơ) as an XLSX workbook, one row at a time.</summary>
internal static class XlsxLocationReportWriter
{
    internal const string SheetName = "Vị trí hồ sơ";
    private const string WorksheetContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml";
    private const string StylesContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml";
    private static readonly double[] Widths = [6, 10, 7, 8, 8, 10, 14, 48, 12, 14];

    // Cell formats: the catalogue's stylesheet (XlsxCatalogueWriter.Styles()), which the report shares.
    private const uint SAgency = XlsxCatalogueWriter.SAgency, SAgencyBold = XlsxCatalogueWriter.SAgencyBold, SNational = XlsxCatalogueWriter.SNational,
        SMotto = XlsxCatalogueWriter.SMotto, STitle = XlsxCatalogueWriter.STitle, SSubtitle = XlsxCatalogueWriter.SSubtitle, SHead = XlsxCatalogueWriter.SHead,
        SText = XlsxCatalogueWriter.SText, SCenter = XlsxCatalogueWriter.SCenter, STotal = XlsxCatalogueWriter.STotal, SItalic = XlsxCatalogueWriter.SItalic,
        SSignTitle = XlsxCatalogueWriter.SSignTitle;

    public static LocationReportTotals Write(LocationReportDocument doc, IEnumerable<LocationReportRow> rows, Stream output)
    {
        LocationReportTotals? totals = null;
        using (var package = new OfficePackage(output))
        {
            package.Write("/xl/styles.xml", StylesContentType, w => w.WriteElement(XlsxCatalogueWriter.Styles()));
            package.Write("/xl/worksheets/sheet1.xml", WorksheetContentType, w => totals = WriteSheet(w, doc, rows));
            var headerRow = HeaderRow(doc);
            var workbook = package.Write("/xl/workbook.xml", XlsxCatalogueWriter.MainContentType, w => w.WriteElement(new Workbook(
                new Sheets(new Sheet { Name = SheetName, SheetId = 1U, Id = "rId1" }),
                new DefinedNames(new DefinedName($"'{SheetName}'!${headerRow}:${headerRow + 1}") { Name = "_xlnm.Print_Titles", LocalSheetId = 0U }))));
            workbook.CreateRelationship(new Uri("worksheets/sheet1.xml", UriKind.Relative), System.IO.Packaging.TargetMode.Internal, OfficePackage.WorksheetRel, "rId1");
            workbook.CreateRelationship(new Uri("styles.xml", UriKind.Relative), System.IO.Packaging.TargetMode.Internal, OfficePackage.StylesRel, "rId2");
            package.RelateMain(workbook);
            package.WriteCoreProperties("Báo cáo vị trí hồ sơ", doc.Heading.AgencyName);
        }

        return totals!;
    }

    private static int HeaderRow(LocationReportDocument doc) => 7 + doc.Subtitles.Count;

    private static LocationReportTotals WriteSheet(OpenXmlWriter w, LocationReportDocument doc, IEnumerable<LocationReportRow> rows)
    {
        var headerRow = HeaderRow(doc);
        var merges = new List<string>();
        w.WriteStartElement(new Worksheet());
        w.WriteElement(new SheetProperties(new PageSetupProperties { FitToPage = true }));
        w.WriteElement(new SheetViews(new SheetView(
            new Pane { VerticalSplit = headerRow + 1, TopLeftCell = "A" + (headerRow + 2).ToString(CultureInfo.InvariantCulture), ActivePane = PaneValues.BottomLeft, State = PaneStateValues.Frozen })
        { WorkbookViewId = 0U, ShowGridLines = false }));
        var cols = new Columns();
        for (var i = 0; i < Widths.Length; i++)
        {
            cols.Append(new Column { Min = (uint)(i + 1), Max = (uint)(i + 1), Width = Widths[i], CustomWidth = true });
        }

        w.WriteElement(cols);
        w.WriteStartElement(new SheetData());
        var row = 0;
        void Line(uint style, string text)
        {
            row++;
            Row(w, row, (0, text, style));
            merges.Add($"A{row}:J{row}");
        }

        // Heading: agency on the left (A:D), national title and motto on the right (F:J).
        var h = doc.Heading;
        var left1 = h.ParentAgencyName is { } parent ? Fmt.Upper(parent) : Fmt.Upper(h.AgencyName);
        var left2 = h.ParentAgencyName is null ? string.Empty : Fmt.Upper(h.AgencyName);
        Row(w, ++row, (0, left1, h.ParentAgencyName is null ? SAgencyBold : SAgency), (5, Fmt.NationalTitle, SNational));
        Row(w, ++row, (0, left2, SAgencyBold), (5, Fmt.Motto, SMotto));
        Row(w, ++row, (0, string.Empty, SAgency), (5, Fmt.PlaceAndDate(h.Place, h.Date), SItalic));
        for (var r = 1; r <= 3; r++)
        {
            merges.Add($"A{r}:D{r}");
            merges.Add($"F{r}:J{r}");
        }

        row++;
        Line(STitle, OpenXmlLocationDocumentWriter.ReportTitle);
        foreach (var s in doc.Subtitles)
        {
            Line(SSubtitle, Fmt.Clean(s));
        }

        row = headerRow;
        var titles = LocationReportDocument.ColumnTitles;
        Row(w, row, [.. titles.Select((t, i) => (i, Fmt.Clean(t), SHead))]);
        row++;
        Row(w, row, [.. titles.Select((_, i) => (i, "(" + (i + 1).ToString(CultureInfo.InvariantCulture) + ")", SCenter))]);
        var files = 0;
        var boxes = new HashSet<(string, string)>();
        foreach (var r in rows)
        {
            ArgumentNullException.ThrowIfNull(r);
            files++;
            boxes.Add((r.RoomCode, r.BoxNumber));
            row++;
            var cells = OpenXmlLocationDocumentWriter.Cells(r, files);
            Row(w, row, [.. cells.Select((c, i) => (i, c, i == 7 ? SText : SCenter))]);
        }

        var totals = new LocationReportTotals(files, boxes.Count);
        row++;
        Line(STotal, OpenXmlLocationDocumentWriter.TotalLine(totals));
        if (doc.Signatures.Count > 0)
        {
            row += 2;
            Row(w, row, (5, Fmt.PlaceAndDate(h.Place, h.Date), SItalic));
            merges.Add($"F{row}:J{row}");
            var sigs = doc.Signatures.Take(2).ToList();
            var blocks = sigs.Count == 1 ? new[] { (5, "F", "J") } : [(0, "A", "D"), (5, "F", "J")];
            row++;
            Row(w, row, [.. sigs.Select((s, i) => (blocks[i].Item1, Fmt.Upper(s.Title), SSignTitle))]);
            merges.AddRange(sigs.Select((_, i) => $"{blocks[i].Item2}{row}:{blocks[i].Item3}{row}"));
            row++;
            Row(w, row, [.. sigs.Select((_, i) => (blocks[i].Item1, "(Ký, ghi rõ họ tên)", SItalic))]);
            merges.AddRange(sigs.Select((_, i) => $"{blocks[i].Item2}{row}:{blocks[i].Item3}{row}"));
        }

        XlsxCatalogueWriter.EndSheet(w, merges);
        return totals;
    }

    private static void Row(OpenXmlWriter w, int row, params (int Column, string Text, uint Style)[] cells) => XlsxCatalogueWriter.Row(w, row, null, cells);
}
