using Xunit;

namespace Archive.Documents.Tests;

/// <summary>The destruction papers of Circular 06/2025 (danh mục, thuyết minh, biên bản hủy tài liệu hết thời hạn lưu trữ).</summary>
public sealed class DestructionDocumentTests
{
    private static DestructionNoteDocument Note() => new()
    {
        Heading = Samples.Heading,
        LegalBasis = ["Thông tư số 06/2025/TT-BNV", "Biên bản họp Hội đồng xác định giá trị tài liệu ngày 20/4/2026"],
        AgencyName = "Ủy ban nhân dân xã An Bình",
        Fonds = ["Phông Ủy ban nhân dân xã An Bình (P-A)"],
        Reviewed = 130,
        Kept = 5,
        ToDestroy = 125,
        Pages = 2_400,
        From = new DateOnly(2005, 1, 1),
        To = new DateOnly(2015, 12, 31),
        Groups = [new DestructionGroup("Hồ sơ có thời hạn lưu trữ 5 năm", 100, "đã hết thời hạn lưu trữ (kết thúc từ năm 2005 đến năm 2015)"), new DestructionGroup("Tài liệu trùng lặp, không thuộc diện lưu trữ", 25, "bản sao")],
        Remarks = "Tài liệu hành chính thông thường.",
        Signatures = [new Signature("NGƯỜI LẬP", "Trần Thị Bình"), new Signature("THỦ TRƯỞNG CƠ QUAN")],
    };

    private static DestructionRecordDocument Record() => new()
    {
        Heading = Samples.Heading,
        LegalBasis = ["Quyết định số 15/QĐ-UBND ngày 04/05/2026 về việc hủy tài liệu hết thời hạn lưu trữ"],
        Handing = new Party { Name = "Ủy ban nhân dân xã An Bình", Representatives = [new Person("Nguyễn Văn An", "Chủ tịch")] },
        Destroying = new Party { Name = "Người thực hiện hủy trên hệ thống lưu trữ", Representatives = [new Person("Trần Thị Bình")] },
        RecordsBlockName = "Tài liệu hết thời hạn lưu trữ của Ủy ban nhân dân xã An Bình",
        From = new DateOnly(2005, 1, 1),
        To = new DateOnly(2015, 12, 31),
        Files = 124,
        Documents = 1_300,
        Pages = 2_400,
        DigitalFiles = 1_310,
        Bytes = 1_234_567_890,
        Method = "Hủy tài liệu điện tử: xóa vĩnh viễn gói lưu trữ",
        NotDestroyed = ["07.TCCB — Hồ sơ tuyển dụng: hồ sơ đang bị tạm giữ"],
        Attachments = ["Danh mục tài liệu hết thời hạn lưu trữ: 125 hồ sơ"],
    };

    [Fact]
    public void The_note_states_counts_dates_groups_and_reasons_in_a_valid_docx_on_a_forward_only_stream()
    {
        using var ms = new MemoryStream();
        OfficeDocuments.WriteDestructionNoteDocx(Note(), new ForwardOnlyStream(ms));
        ms.Position = 0;
        using var doc = OfficeReader.OpenDocx(ms);
        var p = OfficeReader.Paragraphs(doc);
        Assert.Contains("BẢN THUYẾT MINH", p);
        Assert.Contains("Tài liệu hết thời hạn lưu trữ", p);
        Assert.Contains("Căn cứ Thông tư số 06/2025/TT-BNV;", p);
        Assert.Contains("- Tổng số hồ sơ đã xem xét: 130 (Một trăm ba mươi) hồ sơ", p);
        Assert.Contains("- Số hồ sơ giữ lại: 5 (Năm) hồ sơ", p);
        Assert.Contains("- Số hồ sơ đề nghị hủy: 125 (Một trăm hai mươi lăm) hồ sơ (2.400 trang)", p);
        Assert.Contains("4. Thời gian của tài liệu đề nghị hủy: Từ năm 2005 đến năm 2015", p);
        Assert.Contains("5.2. Tài liệu trùng lặp, không thuộc diện lưu trữ: 25 hồ sơ; lý do: bản sao.", p);
        Assert.Contains("6. Thuyết minh bổ sung: Tài liệu hành chính thông thường.", p);
        var tables = OfficeReader.Tables(doc);
        Assert.StartsWith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc", tables[0][0][1], StringComparison.Ordinal);
        Assert.EndsWith("Trần Thị Bình", tables[^1][0][0], StringComparison.Ordinal);
    }

    [Fact]
    public void The_record_states_quantities_method_refusals_and_both_parties_signature_blocks()
    {
        using var ms = new MemoryStream();
        OfficeDocuments.WriteDestructionRecordDocx(Record(), ms);
        ms.Position = 0;
        using var doc = OfficeReader.OpenDocx(ms);
        var p = OfficeReader.Paragraphs(doc);
        Assert.Contains("Về việc hủy tài liệu hết thời hạn lưu trữ", p);
        Assert.Contains("Căn cứ Quyết định số 15/QĐ-UBND ngày 04/05/2026 về việc hủy tài liệu hết thời hạn lưu trữ;", p);
        Assert.Contains("BÊN GIAO TÀI LIỆU HỦY: Ủy ban nhân dân xã An Bình", p);
        Assert.Contains("- Ông (bà): Trần Thị Bình; Chức vụ: " + "……………………………………", p);
        Assert.Contains("- Tổng số hồ sơ: 124 (Một trăm hai mươi bốn) hồ sơ", p);
        Assert.Contains("- Tổng số văn bản: 1.300; tổng số trang: 2.400", p);
        Assert.Contains("- Tổng số tệp (file) tài liệu: 1.310; dung lượng: 1.234.567.890 byte (1,15 GB)", p);
        Assert.Contains("5. Hồ sơ không hủy: 1 (Một) hồ sơ", p);
        Assert.Contains("- 07.TCCB — Hồ sơ tuyển dụng: hồ sơ đang bị tạm giữ;", p);
        Assert.Contains("6. Tài liệu kèm theo:", p);
        Assert.Contains("Biên bản này được lập thành hai (02) bản có giá trị như nhau; bên giao tài liệu hủy giữ một bản, bên thực hiện hủy giữ một bản./.", p);
        var signatures = OfficeReader.Tables(doc)[^1][0];
        Assert.StartsWith("ĐẠI DIỆN BÊN GIAO TÀI LIỆU HỦY", signatures[0], StringComparison.Ordinal);
        Assert.EndsWith("Nguyễn Văn An", signatures[0], StringComparison.Ordinal);
        Assert.StartsWith("ĐẠI DIỆN BÊN THỰC HIỆN HỦY", signatures[1], StringComparison.Ordinal);
    }

    [Fact]
    public void The_destruction_list_prints_its_title_reason_column_and_sheet_totals_without_the_permanent_split()
    {
        using var ms = new MemoryStream();
        var totals = OfficeDocuments.WriteCatalogueXlsx(Samples.Catalogue(CatalogueKind.DestructionList), Samples.Entries(3), ms);
        ms.Position = 0;
        var cells = OfficeReader.Cells(ms, out var book);
        using (book)
        {
            Assert.Contains("DANH MỤC TÀI LIỆU HẾT THỜI HẠN LƯU TRỮ", cells.Values);
            Assert.Contains("Lý do hủy, ghi chú", cells.Values);
            Assert.Contains("Tổng số: 3 (Ba) hồ sơ", cells.Values);
            Assert.Contains("Tổng số tờ: " + totals.Sheets.ToString("#,0", System.Globalization.CultureInfo.GetCultureInfo("vi-VN")) + "; tổng số trang: " + totals.Pages.ToString("#,0", System.Globalization.CultureInfo.GetCultureInfo("vi-VN")), cells.Values);
            Assert.DoesNotContain(cells.Values, v => v.StartsWith("Trong đó: Vĩnh viễn", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Negative_counts_and_missing_fields_are_refused_before_anything_is_written()
    {
        using var ms = new MemoryStream();
        Assert.Throws<ArgumentOutOfRangeException>(() => OfficeDocuments.WriteDestructionNoteDocx(Note() with { Kept = -1 }, ms));
        Assert.Throws<ArgumentOutOfRangeException>(() => OfficeDocuments.WriteDestructionRecordDocx(Record() with { Bytes = -1 }, ms));
        Assert.Throws<ArgumentOutOfRangeException>(() => OfficeDocuments.WriteDestructionRecordDocx(Record() with { Copies = 0 }, ms));
        Assert.Throws<ArgumentException>(() => OfficeDocuments.WriteDestructionRecordDocx(Record() with { Method = " " }, ms));
        Assert.Equal(0, ms.Length);
    }
}
