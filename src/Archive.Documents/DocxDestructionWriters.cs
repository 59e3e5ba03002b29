using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Archive.Documents;

/// <summary>Writes the explanatory note and the destruction record of a destruction (Circular 06/2025), portrait A4.</summary>
internal static class DocxDestructionWriters
{
    private const int Indent = 567;

    public static void WriteNote(DestructionNoteDocument doc, Stream output)
    {
        Docx.Write(output, "Bản thuyết minh tài liệu hết thời hạn lưu trữ", doc.Heading.AgencyName, landscape: false, w =>
        {
            void Para(string text, bool bold = false, bool italic = false) => w.WriteElement(Docx.P(text, JustificationValues.Both, bold: bold, italic: italic, after: 60, firstLine: Indent));

            w.WriteElement(Docx.Heading(doc.Heading, landscape: false));
            w.WriteElement(Docx.P(string.Empty));
            w.WriteElement(Docx.P("BẢN THUYẾT MINH", JustificationValues.Center, bold: true, size: 14));
            w.WriteElement(Docx.P("Tài liệu hết thời hạn lưu trữ", JustificationValues.Center, bold: true, size: 14, after: 240));
            foreach (var basis in doc.LegalBasis)
            {
                Para(Basis(basis), italic: true);
            }

            Para("1. Tên cơ quan, tổ chức: " + Fmt.Clean(doc.AgencyName));
            Para("2. Tên phông lưu trữ: " + (doc.Fonds.Count == 0 ? Fmt.Dots : string.Join("; ", doc.Fonds.Select(Fmt.Clean))));
            Para("3. Số lượng tài liệu:");
            Para("- Tổng số hồ sơ đã xem xét: " + VietnameseNumber.FigureAndWords(doc.Reviewed) + " hồ sơ");
            Para("- Số hồ sơ giữ lại: " + VietnameseNumber.FigureAndWords(doc.Kept) + " hồ sơ");
            Para("- Số hồ sơ đề nghị hủy: " + VietnameseNumber.FigureAndWords(doc.ToDestroy) + " hồ sơ (" + Fmt.Number(doc.Pages) + " trang)");
            Para("4. Thời gian của tài liệu đề nghị hủy: " + Fmt.YearRange(doc.From, doc.To));
            Para("5. Các nhóm tài liệu đề nghị hủy và lý do hủy:" + (doc.Groups.Count == 0 ? " " + Fmt.Dots : string.Empty));
            var i = 0;
            foreach (var g in doc.Groups)
            {
                i++;
                Para(string.Create(CultureInfo.InvariantCulture, $"5.{i}. ") + Fmt.Clean(g.Name) + ": " + Fmt.Number(g.Files) + " hồ sơ; lý do: " + Fmt.Clean(g.Reason) + ".");
            }

            if (!string.IsNullOrWhiteSpace(doc.Remarks))
            {
                Para("6. Thuyết minh bổ sung: " + Fmt.Clean(doc.Remarks));
            }

            if (doc.Signatures.Count > 0)
            {
                w.WriteElement(Docx.P(string.Empty, keepNext: true));
                w.WriteElement(Docx.Signatures(doc.Signatures, landscape: false));
            }
        });
    }

    public static void WriteRecord(DestructionRecordDocument doc, Stream output)
    {
        Docx.Write(output, "Biên bản hủy tài liệu hết thời hạn lưu trữ", doc.Heading.AgencyName, landscape: false, w =>
        {
            void Para(string text, bool bold = false, bool italic = false) => w.WriteElement(Docx.P(text, JustificationValues.Both, bold: bold, italic: italic, after: 60, firstLine: Indent));

            w.WriteElement(Docx.Heading(doc.Heading, landscape: false));
            w.WriteElement(Docx.P(string.Empty));
            w.WriteElement(Docx.P("BIÊN BẢN", JustificationValues.Center, bold: true, size: 14));
            w.WriteElement(Docx.P("Về việc hủy tài liệu hết thời hạn lưu trữ", JustificationValues.Center, bold: true, size: 14, after: 240));
            foreach (var basis in doc.LegalBasis)
            {
                Para(Basis(basis), italic: true);
            }

            var date = doc.Heading.Date is { } d
                ? string.Create(CultureInfo.InvariantCulture, $"Hôm nay, ngày {d.Day:00} tháng {d.Month:00} năm {d.Year}")
                : "Hôm nay, ngày … tháng … năm ……";
            Para(date + (doc.Venue is { } v ? ", tại " + Fmt.Clean(v) : string.Empty) + ", chúng tôi gồm:");
            PartyBlock(w, "BÊN GIAO TÀI LIỆU HỦY", doc.Handing);
            PartyBlock(w, "BÊN THỰC HIỆN HỦY", doc.Destroying);
            Para("Thống nhất lập biên bản hủy tài liệu hết thời hạn lưu trữ với những nội dung cụ thể như sau:");
            Para("1. Tên khối tài liệu hủy: " + Fmt.Clean(doc.RecordsBlockName));
            Para("2. Thời gian của tài liệu: " + Fmt.YearRange(doc.From, doc.To));
            Para("3. Số lượng tài liệu đã hủy:");
            Para("- Tổng số hồ sơ: " + VietnameseNumber.FigureAndWords(doc.Files) + " hồ sơ");
            Para("- Tổng số văn bản: " + Fmt.Number(doc.Documents) + "; tổng số trang: " + Fmt.Number(doc.Pages));
            Para("- Tổng số tệp (file) tài liệu: " + Fmt.Number(doc.DigitalFiles) + "; dung lượng: " + Fmt.Bytes(doc.Bytes));
            Para("4. Phương thức hủy: " + Fmt.Clean(doc.Method));
            var n = 5;
            if (doc.NotDestroyed.Count > 0)
            {
                Para(n.ToString(CultureInfo.InvariantCulture) + ". Hồ sơ không hủy: " + VietnameseNumber.FigureAndWords(doc.NotDestroyed.Count) + " hồ sơ");
                foreach (var line in doc.NotDestroyed)
                {
                    Para("- " + Fmt.Clean(line) + ";");
                }

                n++;
            }

            foreach (var note in doc.Notes)
            {
                Para(n.ToString(CultureInfo.InvariantCulture) + ". " + Fmt.Clean(note));
                n++;
            }

            Para(n.ToString(CultureInfo.InvariantCulture) + ". Tài liệu kèm theo:" + (doc.Attachments.Count == 0 ? " " + Fmt.Dots : string.Empty));
            foreach (var a in doc.Attachments)
            {
                Para("- " + Fmt.Clean(a) + ";");
            }

            var copies = Math.Max(1, doc.Copies);
            Para(string.Create(CultureInfo.InvariantCulture, $"Biên bản này được lập thành {VietnameseNumber.ToWords(copies)} ({copies:00}) bản có giá trị như nhau; ")
                + "bên giao tài liệu hủy giữ " + (copies == 2 ? "một" : VietnameseNumber.ToWords(copies / 2)) + " bản, "
                + "bên thực hiện hủy giữ " + (copies == 2 ? "một" : VietnameseNumber.ToWords(copies - (copies / 2))) + " bản./.");
            w.WriteElement(Docx.P(string.Empty, keepNext: true));
            w.WriteElement(Docx.Signatures(
                [
                    new Signature("ĐẠI DIỆN BÊN GIAO TÀI LIỆU HỦY", doc.Handing.Representatives.FirstOrDefault()?.FullName),
                    new Signature("ĐẠI DIỆN BÊN THỰC HIỆN HỦY", doc.Destroying.Representatives.FirstOrDefault()?.FullName),
                ],
                landscape: false,
                "(Ký, ghi rõ họ tên)"));
        });
    }

    private static string Basis(string basis)
    {
        var b = Fmt.Clean(basis).Trim().TrimEnd(';', '.');
        return (b.StartsWith("Căn cứ", StringComparison.OrdinalIgnoreCase) ? b : "Căn cứ " + b) + ";";
    }

    private static void PartyBlock(OpenXmlWriter w, string label, Party party)
    {
        var p = Docx.P(string.Empty, JustificationValues.Both, after: 60, firstLine: Indent);
        p.Append(Docx.R(label + ": ", bold: true), Docx.R(Fmt.Clean(party.Name), bold: true));
        w.WriteElement(p);
        if (party.Representatives.Count == 0)
        {
            w.WriteElement(Docx.P("- Ông (bà): " + Fmt.Dots + " Chức vụ: " + Fmt.Dots, JustificationValues.Both, after: 60, firstLine: Indent));
            return;
        }

        foreach (var person in party.Representatives)
        {
            w.WriteElement(Docx.P("- Ông (bà): " + Fmt.Clean(person.FullName) + "; Chức vụ: " + (person.Position is { } pos ? Fmt.Clean(pos) : Fmt.Dots), JustificationValues.Both, after: 60, firstLine: Indent));
        }
    }
}
