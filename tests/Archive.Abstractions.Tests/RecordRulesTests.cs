using Archive.Records;
using Archive.Retention;
using Xunit;

namespace Archive.Abstractions.Tests;

public class RecordRulesTests
{
    private static RecordFile ValidFile() => new()
    {
        FileCode = "000.00.00.G09.2010.01.TH",
        OrganId = "000.00.00.G09",
        FileCatalog = 2010,
        FileNotation = "01.TH",
        FondsCode = "G09",
        Title = "Hồ sơ hội nghị tổng kết công tác năm 2010",
        Maintenance = RetentionPeriod.Permanent,
    };

    [Theory]
    [InlineData("000.00.00.G09", true)]
    [InlineData("000.12.30.A36", true)]
    [InlineData("000.00.00.H30", true)]
    [InlineData("G09.H30.001", false)]
    public void Agency_identifiers_in_both_forms_are_accepted(string id, bool strict)
    {
        Assert.Equal(id, AgencyIdentifier.Validate(id));
        Assert.Equal(strict, AgencyIdentifier.IsQcvn102(id));
    }

    [Theory]
    [InlineData("", "agency-id.required")]
    [InlineData("000.00.00.g09", "agency-id.format")]
    [InlineData("000..00.G09", "agency-id.format")]
    [InlineData("000.00.00.G09.", "agency-id.format")]
    [InlineData("000 00 00 G09", "agency-id.format")]
    [InlineData("000.00.00.G09.000.00.00.G09.000.00.00", "agency-id.too-long")]
    public void Bad_agency_identifiers_name_the_rule(string id, string rule)
        => Assert.Equal(rule, Assert.Throws<ArchiveValidationException>(() => AgencyIdentifier.Validate(id)).Errors[0].Rule);

    [Fact]
    public void A_valid_file_has_no_errors() => Assert.Empty(RecordRules.ValidateRecordFile(ValidFile()));

    [Fact]
    public void File_code_must_be_composed_from_its_parts()
    {
        var errors = RecordRules.ValidateRecordFile(ValidFile() with { FileCode = "000.00.00.G09.2011.01.TH" });
        var e = Assert.Single(errors);
        Assert.Equal(("fileCode", "file-code.composition"), (e.Field, e.Rule));
    }

    [Fact]
    public void Unfinished_files_need_a_note()
    {
        var e = Assert.Single(RecordRules.ValidateRecordFile(ValidFile() with { Status = RecordFileStatus.Unfinished }));
        Assert.Equal(("unfinishedNote", "unfinished.note-required"), (e.Field, e.Rule));
        Assert.Empty(RecordRules.ValidateRecordFile(ValidFile() with { Status = RecordFileStatus.Unfinished, UnfinishedNote = "Chờ ý kiến Bộ" }));
    }

    [Fact]
    public void Several_errors_are_reported_together()
    {
        var errors = RecordRules.ValidateRecordFile(ValidFile() with { Title = new string('a', 501), FileNotation = "01 TH", FileCatalog = 20 });
        Assert.Contains(errors, e => e.Field == "title" && e.Rule == "max-length");
        Assert.Contains(errors, e => e.Field == "fileNotation" && e.Rule == "file-notation.format");
        Assert.Contains(errors, e => e.Field == "fileCatalog" && e.Rule == "file-catalog.range");
    }

    [Theory]
    [InlineData("05/BNV-VP", "05", "BNV-VP")]
    [InlineData("30/2020/NĐ-CP", "30", "2020/NĐ-CP")]
    [InlineData("414/BNV-VTLTNN", "414", "BNV-VTLTNN")]
    public void Number_and_symbol_parse(string text, string number, string symbol)
    {
        Assert.True(RecordRules.TryParseNumberAndSymbol(text, out var n, out var s));
        Assert.Equal((number, symbol), (n, s));
    }

    [Theory]
    [InlineData("5", "BNV-VP", "documents[0].codeNumber", "code-number.zero-pad")]
    [InlineData("05a", "BNV-VP", "documents[0].codeNumber", "code-number.format")]
    [InlineData("05", "BNV - VP", "documents[0].codeNotation", "code-notation.format")]
    [InlineData("05", "bnv-vp", "documents[0].codeNotation", "code-notation.format")]
    [InlineData("05", "BNV--VP", "documents[0].codeNotation", "code-notation.format")]
    public void Number_and_symbol_rules(string number, string symbol, string field, string rule)
    {
        var e = Assert.Single(RecordRules.ValidateNumberAndSymbol(number, symbol, "documents[0]."));
        Assert.Equal((field, rule), (e.Field, e.Rule));
    }

    [Theory]
    [InlineData("TTr-UBND")]
    [InlineData("CTr-BNV")]
    [InlineData("QyĐ-BNV")]
    [InlineData("TrS-VP")]
    [InlineData("TTh-SNV")] // Circular 01/2011 spelling, on documents issued before Decree 30
    [InlineData("2020/NĐ-CP")]
    [InlineData("TTr-SNV-VP")]
    public void Decree30_type_abbreviations_with_lower_case_letters_are_accepted(string symbol)
        => Assert.Empty(RecordRules.ValidateNumberAndSymbol("05", symbol));

    [Theory]
    [InlineData("Ttr-UBND")] // not the official spelling
    [InlineData("TTR-ubnd")]
    [InlineData("KLuan-SNV")] // local, not configured
    public void Other_lower_case_groups_are_refused(string symbol)
        => Assert.Equal("code-notation.format", Assert.Single(RecordRules.ValidateNumberAndSymbol("05", symbol)).Rule);

    [Fact]
    public void Local_abbreviations_are_accepted_exactly_as_configured()
    {
        Assert.Empty(RecordRules.ValidateNumberAndSymbol("05", "KLuan-SNV", localAbbreviations: ["KLuan"]));
        Assert.Single(RecordRules.ValidateNumberAndSymbol("05", "Kluan-SNV", localAbbreviations: ["KLuan"]));
        Assert.True(RecordRules.IsValidLocalAbbreviation("KLuan"));
        Assert.False(RecordRules.IsValidLocalAbbreviation("K-Luan"));
        Assert.False(RecordRules.IsValidLocalAbbreviation("kluan"));
        Assert.False(RecordRules.IsValidLocalAbbreviation("K Luan"));
        Assert.Equal("Tờ trình", RecordRules.OfficialTypeAbbreviations["TTr"]);
    }

    [Theory]
    [InlineData("\u200B")]
    [InlineData("\u200C")]
    [InlineData("\u200D")]
    [InlineData("\u2060")]
    [InlineData("\uFEFF")]
    [InlineData("\u202A")]
    [InlineData("\u202E")]
    [InlineData("\u2066")]
    [InlineData("\u2069")]
    [InlineData("\u0000")]
    [InlineData("\u0007")]
    [InlineData("\u0085")]
    [InlineData("\u009F")]
    [InlineData("\u00AD")]
    [InlineData("\n")]
    public void Invisible_bidi_and_control_characters_are_refused_naming_the_field(string escaped)
    {
        var c = System.Text.RegularExpressions.Regex.Unescape(escaped);
        var title = Assert.Single(RecordRules.ValidateRecordFile(ValidFile() with { Title = "Hồ sơ" + c + " hội nghị" }));
        Assert.Equal(("title", TextRules.InvisibleCharacter), (title.Field, title.Rule));
        Assert.Contains($"U+{(int)c[0]:X4}", title.Message, StringComparison.Ordinal);
        var keyword = Assert.Single(RecordRules.ValidateRecordFile(ValidFile() with { Keywords = ["tổ chức", "bộ" + c + "máy"] }));
        Assert.Equal(("keywords[1]", TextRules.InvisibleCharacter), (keyword.Field, keyword.Rule));
        var symbol = Assert.Single(RecordRules.ValidateNumberAndSymbol("05", "BNV" + c + "-VP", "documents[1]."));
        Assert.Equal(("documents[1].codeNotation", TextRules.InvisibleCharacter), (symbol.Field, symbol.Rule));
        var subject = RecordRules.ValidateDocument(new Document { DocOrdinal = 1, OrganName = "Bộ" + c + " Nội vụ" });
        Assert.Equal(("organName", TextRules.InvisibleCharacter), (subject[0].Field, subject[0].Rule));
    }

    [Fact]
    public void Line_breaks_are_allowed_in_multi_line_fields_only()
    {
        Assert.Empty(RecordRules.ValidateRecordFile(ValidFile() with { Description = "Dòng 1\r\nDòng 2\tcột" }));
        Assert.Empty(RecordRules.ValidateDocument(new Document { DocOrdinal = 1, Subject = "Về việc\nsắp xếp" }));
        Assert.Equal(TextRules.InvisibleCharacter, Assert.Single(RecordRules.ValidateRecordFile(ValidFile() with { Description = "a\u202Eb" })).Rule);
        Assert.Null(TextRules.FindInvisible("Hồ sơ hội nghị – Đà Nẵng 😀"));
    }

    [Fact]
    public void Keywords_are_bounded_and_the_error_names_the_limit()
    {
        var many = Enumerable.Range(0, RecordRules.KeywordsMax + 1).Select(i => "k" + i).ToList();
        var e = Assert.Single(RecordRules.ValidateRecordFile(ValidFile() with { Keywords = many }));
        Assert.Equal(("keywords", "keywords.too-many"), (e.Field, e.Rule));
        Assert.Contains(RecordRules.KeywordsMax.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
        Assert.Empty(RecordRules.ValidateRecordFile(ValidFile() with { Keywords = many[..RecordRules.KeywordsMax] }));
    }

    [Fact]
    public void Duplicate_key_ignores_case_and_padding()
    {
        var a = new Document { DocOrdinal = 1, CodeNumber = "05", CodeNotation = "BNV-VP", OrganName = "Bộ Nội vụ", IssuedDate = new DateOnly(2025, 3, 19) };
        var b = a with { DocOrdinal = 2, OrganName = "BỘ NỘI VỤ " };
        Assert.Equal(RecordRules.DuplicateKey(a), RecordRules.DuplicateKey(b));
        Assert.NotEqual(RecordRules.DuplicateKey(a), RecordRules.DuplicateKey(a with { IssuedDate = new DateOnly(2026, 1, 2) }));
        Assert.Null(RecordRules.DuplicateKey(a with { OrganName = null }));
    }
}
