using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Archive.Documents;

/// <summary>Writes a catalogue as a DOCX (landscape A4), one table row at a time.</summary>
internal static class DocxCatalogueWriter
{
    // Text width of landscape A4 in twips (16838 - 1701 - 1134 = 14003); the columns share it.
    private const int TextWidth = 14003;

    /// <summary>Column widths in twips, adding up to the text width (the catalogue of record files: 750, 1500, 4300, 1450, 1450, 1300, 700, 800, 1753).</summary>
    private static int[] Widths(CatalogueDocument doc)
    {
        var weights = doc.Columns.Select(c => c switch
        {
            CatalogueColumn.Number => 750,
            CatalogueColumn.Notation => 1500,
            CatalogueColumn.Title => 4300,
            CatalogueColumn.StartDate or CatalogueColumn.EndDate => 1450,
            CatalogueColumn.Retention => 1300,
            CatalogueColumn.Sheets => 700,
            CatalogueColumn.Pages => 800,
            CatalogueColumn.Creator => 2200,
            CatalogueColumn.Position => 900,
            _ => 1753,
        }).ToArray();
        var sum = weights.Sum();
        var widths = weights.Select(x => x * TextWidth / sum).ToArray();
        widths[^1] += TextWidth - widths.Sum();
        return widths;
    }

    public static CatalogueTotals Write(CatalogueDocument doc, IEnumerable<CatalogueEntry> entries, Stream output)
    {
        CatalogueTotals? totals = null;
        Docx.Write(output, doc.EffectiveTitle, doc.Heading.AgencyName, landscape: true, w =>
        {
            w.WriteElement(Docx.Heading(doc.Heading, landscape: true));
            w.WriteElement(Docx.P(string.Empty));
            w.WriteElement(Docx.P(Fmt.Clean(doc.EffectiveTitle), JustificationValues.Center, bold: true, size: 14, after: 60));
            foreach (var s in doc.Subtitles)
            {
                w.WriteElement(Docx.P(Fmt.Clean(s), JustificationValues.Center, size: 13));
            }

            w.WriteElement(Docx.P(string.Empty));
            totals = Table(w, doc, entries);
            w.WriteElement(Docx.P(string.Empty));
            w.WriteElement(Docx.P(doc.TotalLine(totals), bold: true, size: 13, keepNext: true));
            if (doc.PrintsRetentionSplit)
            {
                w.WriteElement(Docx.P(totals.SplitLine, size: 13, keepNext: true));
            }

            if (doc.Kind is CatalogueKind.DepositCatalogue or CatalogueKind.DestructionList)
            {
                w.WriteElement(Docx.P("Tổng số tờ: " + Fmt.Number(totals.Sheets) + "; tổng số trang: " + Fmt.Number(totals.Pages), size: 13, keepNext: true));
            }

            if (doc.Signatures.Count > 0)
            {
                w.WriteElement(Docx.P(string.Empty, keepNext: true));
                w.WriteElement(Docx.P(Fmt.PlaceAndDate(doc.Heading.Place, doc.Heading.Date), JustificationValues.Right, italic: true, size: 13, keepNext: true));
                w.WriteElement(Docx.Signatures(doc.Signatures, landscape: true));
            }
        });
        return totals!;
    }

    private static CatalogueTotals Table(OpenXmlWriter w, CatalogueDocument doc, IEnumerable<CatalogueEntry> entries)
    {
        var widths = Widths(doc);
        var layout = doc.Columns;
        Docx.StartRuledTable(w, widths);
        var columns = XlsxCatalogueWriter.Columns(doc);

        // Heading row and column-number row, repeated at the top of every page.
        w.WriteElement(Row(columns, widths, Docx.TableHead, header: true, columns.Select(_ => JustificationValues.Center).ToArray()));
        w.WriteElement(Row(columns.Select((_, i) => "(" + (i + 1).ToString(CultureInfo.InvariantCulture) + ")").ToArray(), widths, Docx.TableHead, header: true, columns.Select(_ => JustificationValues.Center).ToArray(), italic: true));

        var align = layout.Select(c => c switch
        {
            CatalogueColumn.Title or CatalogueColumn.Notes or CatalogueColumn.Creator => JustificationValues.Left,
            CatalogueColumn.Sheets or CatalogueColumn.Pages => JustificationValues.Right,
            _ => JustificationValues.Center,
        }).ToArray();
        int total = 0, permanent = 0;
        long sheets = 0, pages = 0;
        var cells = new string[layout.Count];
        foreach (var e in entries)
        {
            ArgumentNullException.ThrowIfNull(e);
            total++;
            permanent += e.IsPermanent ? 1 : 0;
            sheets += e.Sheets ?? 0;
            pages += e.Pages ?? 0;
            for (var i = 0; i < layout.Count; i++)
            {
                cells[i] = layout[i] == CatalogueColumn.Number ? total.ToString(CultureInfo.InvariantCulture) : Fmt.Clean(XlsxCatalogueWriter.Text(e, layout[i]));
            }

            w.WriteElement(Row(cells, widths, Docx.TableText, header: false, align));
        }

        w.WriteEndElement();
        return new CatalogueTotals(total, permanent, total - permanent, sheets, pages);
    }

    private static TableRow Row(string[] cells, int[] widths, string style, bool header, JustificationValues[] align, bool italic = false)
    {
        var row = new TableRow(header ? new TableRowProperties(new TableHeader(), new CantSplit()) : new TableRowProperties(new CantSplit()));
        for (var i = 0; i < cells.Length; i++)
        {
            var p = new Paragraph(new ParagraphProperties(new ParagraphStyleId { Val = style }, new Justification { Val = align[i] }));
            if (cells[i].Length > 0)
            {
                p.Append(Docx.R(cells[i], italic: italic));
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

/// <summary>Writes a handover record or a transfer record (portrait A4).</summary>
internal static class DocxRecordWriter
{
    public static void Write(DeliveryRecordDocument doc, Stream output)
    {
        var transfer = doc is TransferRecordDocument;
        var subject = transfer ? "Về việc thu nộp hồ sơ, tài liệu vào Lưu trữ lịch sử" : "Về việc giao nhận hồ sơ, tài liệu";
        var handingLabel = transfer ? "BÊN GIAO NỘP" : "BÊN GIAO";
        var receivingLabel = transfer ? "BÊN THU NHẬN" : "BÊN NHẬN";
        Docx.Write(output, transfer ? "Biên bản thu nộp hồ sơ, tài liệu" : "Biên bản giao nhận hồ sơ, tài liệu", doc.Heading.AgencyName, landscape: false, w =>
        {
            const int Indent = 567;
            void Para(string text, bool bold = false, bool italic = false) => w.WriteElement(Docx.P(text, JustificationValues.Both, bold: bold, italic: italic, after: 60, firstLine: Indent));

            w.WriteElement(Docx.Heading(doc.Heading, landscape: false));
            w.WriteElement(Docx.P(string.Empty));
            w.WriteElement(Docx.P("BIÊN BẢN", JustificationValues.Center, bold: true, size: 14));
            w.WriteElement(Docx.P(subject, JustificationValues.Center, bold: true, size: 14, after: 240));
            foreach (var basis in doc.LegalBasis)
            {
                var b = Fmt.Clean(basis).Trim().TrimEnd(';', '.');
                Para((b.StartsWith("Căn cứ", StringComparison.OrdinalIgnoreCase) ? b : "Căn cứ " + b) + ";", italic: true);
            }

            var date = doc.Heading.Date is { } d
                ? string.Create(CultureInfo.InvariantCulture, $"Hôm nay, ngày {d.Day:00} tháng {d.Month:00} năm {d.Year}")
                : "Hôm nay, ngày … tháng … năm ……";
            Para(date + (doc.Venue is { } v ? ", tại " + Fmt.Clean(v) : string.Empty) + ", chúng tôi gồm:");
            PartyBlock(w, handingLabel, doc.Handing);
            PartyBlock(w, receivingLabel, doc.Receiving);
            Para(transfer
                ? "Thống nhất lập biên bản thu nộp hồ sơ, tài liệu vào Lưu trữ lịch sử với những nội dung cụ thể như sau:"
                : "Thống nhất lập biên bản giao nhận hồ sơ, tài liệu với những nội dung cụ thể như sau:");
            Para("1. Tên khối tài liệu " + (transfer ? "nộp lưu" : "giao nhận") + ": " + Fmt.Clean(doc.RecordsBlockName), bold: false);
            Para("2. Thời gian của tài liệu: " + Fmt.YearRange(doc.From, doc.To));
            Para("3. Số lượng tài liệu:");
            Para("a) Tài liệu giấy:");
            var paper = doc.Paper;
            Para("- Tổng số hộp (cặp): " + (paper?.Boxes is { } boxes ? Fmt.Number(boxes) : Fmt.Dots));
            Para("- Tổng số hồ sơ (đơn vị bảo quản): " + (paper?.Files is { } pf ? Fmt.Number(pf) : Fmt.Dots));
            Para("- Quy ra mét giá: " + (paper?.ShelfMetres is { } m ? Fmt.Number(m) + " mét" : Fmt.Dots));
            Para("b) Tài liệu điện tử:");
            var e = doc.Electronic;
            Para("- Tổng số hồ sơ: " + (e?.Files is { } ef ? Fmt.Number(ef) : Fmt.Dots));
            Para("- Tổng số tệp (file) tài liệu: " + (e?.DigitalFiles is { } df ? Fmt.Number(df) : Fmt.Dots));
            Para("- Dung lượng: " + (e?.Bytes is { } bytes ? Fmt.Bytes(bytes) : Fmt.Dots));
            Para("4. Tình trạng tài liệu " + (transfer ? "nộp lưu" : "giao nhận") + ": " + (doc.Condition is { } c ? Fmt.Clean(c) : Fmt.Dots));
            var n = 5;
            if (doc is TransferRecordDocument t)
            {
                Para("5. Kết quả kiểm tra, đối chiếu Mục lục hồ sơ, tài liệu nộp lưu với thực tế tài liệu: " + (t.CheckResult is { } r ? Fmt.Clean(r) : Fmt.Dots));
                n = 6;
            }

            Para(n.ToString(CultureInfo.InvariantCulture) + ". Công cụ tra cứu và tài liệu kèm theo:" + (doc.Attachments.Count == 0 ? " " + Fmt.Dots : string.Empty));
            foreach (var a in doc.Attachments)
            {
                Para("- " + Fmt.Clean(a) + ";");
            }

            var copies = Math.Max(1, doc.Copies);
            Para(string.Create(CultureInfo.InvariantCulture, $"Biên bản này được lập thành {VietnameseNumber.ToWords(copies)} ({copies:00}) bản có giá trị như nhau; ")
                + (transfer ? "bên giao nộp" : "bên giao") + " giữ " + (copies == 2 ? "một" : VietnameseNumber.ToWords(copies / 2)) + " bản, "
                + (transfer ? "bên thu nhận" : "bên nhận") + " giữ " + (copies == 2 ? "một" : VietnameseNumber.ToWords(copies - (copies / 2))) + " bản./.");
            w.WriteElement(Docx.P(string.Empty, keepNext: true));
            w.WriteElement(Docx.Signatures(
                [
                    new Signature("ĐẠI DIỆN " + handingLabel, doc.Handing.Representatives.FirstOrDefault()?.FullName),
                    new Signature("ĐẠI DIỆN " + receivingLabel, doc.Receiving.Representatives.FirstOrDefault()?.FullName),
                ],
                landscape: false,
                "(Ký, ghi rõ họ tên và đóng dấu)"));
        });
    }

    private static void PartyBlock(OpenXmlWriter w, string label, Party party)
    {
        var p = Docx.P(string.Empty, JustificationValues.Both, after: 60, firstLine: 567);
        p.Append(Docx.R(label + ": ", bold: true), Docx.R(Fmt.Clean(party.Name), bold: true));
        w.WriteElement(p);
        if (party.Representatives.Count == 0)
        {
            w.WriteElement(Docx.P("- Ông (bà): " + Fmt.Dots + " Chức vụ: " + Fmt.Dots, JustificationValues.Both, after: 60, firstLine: 567));
            return;
        }

        foreach (var person in party.Representatives)
        {
            w.WriteElement(Docx.P("- Ông (bà): " + Fmt.Clean(person.FullName) + "; Chức vụ: " + (person.Position is { } pos ? Fmt.Clean(pos) : Fmt.Dots), JustificationValues.Both, after: 60, firstLine: 567));
        }
    }
}
