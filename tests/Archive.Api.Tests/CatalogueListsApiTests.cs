using System.Text;
using System.Text.Json.Nodes;
using Archive.Api.Tests.Support;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary>
/// The lists beside the catalogue over HTTP (issue #18 item 4): <c>GET /fonds/{code}/catalogue?kind=list&amp;fileCode=…</c>
/// (danh mục hồ sơ of a fonds or a selection) and <c>GET /record-files/{code}/document-catalogue</c> (mục lục văn bản):
/// only what the caller may read, a Secret code refused like a missing one, problems in Vietnamese and English, audited.
/// </summary>
public sealed class CatalogueListsApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string P = ApiFactory.Prefix;

    [Fact]
    public async Task A_file_list_of_a_selection_lists_only_readable_files_and_refuses_a_secret_code_like_a_missing_one_in_both_languages()
    {
        var admin = factory.CreateClient();
        var (agencyId, fondsCode) = await SeedAsync(admin);
        var first = await CreateRecordFileAsync(admin, fondsCode, "1.TCCB");
        var second = await CreateRecordFileAsync(admin, fondsCode, "2.TCCB", maintenance: "permanent");
        var secret = await CreateRecordFileAsync(admin, fondsCode, "3.MAT", rights: "Secret");
        var clerk = factory.CreateClientFor("archivist", [agencyId]);

        using var list = await clerk.GetAsync($"{P}/fonds/{fondsCode}/catalogue?kind=list&format=csv", Ct);
        Assert.Equal(200, (int)list.StatusCode);
        Assert.Equal("2", list.Headers.GetValues("Archive-Catalogue-Files").Single()); // the Secret file is not counted
        Assert.Equal("1", list.Headers.GetValues("Archive-Catalogue-Permanent").Single());
        var csv = Encoding.UTF8.GetString(await list.Content.ReadAsByteArrayAsync(Ct));
        Assert.StartsWith("\uFEFFSố và ký hiệu hồ sơ,Tên đề mục và tiêu đề hồ sơ,Thời hạn lưu trữ,Đơn vị/người lập hồ sơ,Ghi chú\r\n", csv, StringComparison.Ordinal);
        Assert.DoesNotContain("3.MAT", csv, StringComparison.Ordinal);
        Assert.Equal("danh-muc-ho-so-" + fondsCode + ".csv", list.Content.Headers.ContentDisposition?.FileNameStar ?? list.Content.Headers.ContentDisposition?.FileName);

        using var chosen = await clerk.GetAsync($"{P}/fonds/{fondsCode}/catalogue?kind=list&format=xlsx&fileCode={Uri.EscapeDataString(second)}", Ct);
        Assert.Equal(200, (int)chosen.StatusCode);
        Assert.Equal("1", chosen.Headers.GetValues("Archive-Catalogue-Files").Single());
        using (var book = SpreadsheetDocument.Open(new MemoryStream(await chosen.Content.ReadAsByteArrayAsync(Ct)), false))
        {
            Assert.Empty(new OpenXmlValidator().Validate(book, Ct));
        }

        // The Secret file's code and a code that does not exist: the same status, field, rule and message, per language.
        foreach (var language in new[] { "vi", "en" })
        {
            var c = factory.CreateClientFor("archivist", [agencyId]);
            c.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
            var hidden = await c.GetAsync($"{P}/fonds/{fondsCode}/catalogue?kind=list&fileCode={Uri.EscapeDataString(first)}&fileCode={Uri.EscapeDataString(secret)}", Ct).ExpectProblemAsync(422, "fileCode[1]", "catalogue.selection-unknown");
            var missing = await c.GetAsync($"{P}/fonds/{fondsCode}/catalogue?kind=list&fileCode={Uri.EscapeDataString(first)}&fileCode={Uri.EscapeDataString(secret + "X")}", Ct).ExpectProblemAsync(422, "fileCode[1]", "catalogue.selection-unknown");
            Assert.Equal(Errors(hidden), Errors(missing));
            Assert.Equal((string?)hidden["detail"], (string?)missing["detail"]);
            Assert.Contains(language == "vi" ? "fileCode[1]: không có hồ sơ nào của phông" : "o record file of the fonds you may read has this code", (string?)hidden["errors"]![0]!["message"], StringComparison.Ordinal);
        }

        // Each refusal is audited as a refused read: cleared auditors see the probes of the Secret code (classified), uncleared
        // auditors see the missing code's but nothing of the Secret one.
        using var clearedAuditor = factory.CreateClientFor("supervisor", clearance: true);
        var probes = await clearedAuditor.GetAsync($"{P}/audit/records?action=auth.denied&objectId={Uri.EscapeDataString(secret)}", Ct).ExpectAsync(200);
        Assert.Equal(2, probes["items"]!.AsArray().Count);
        Assert.All(probes["items"]!.AsArray(), i => Assert.Equal("Secret", (string?)i!["classification"]));
        var missingProbes = await clearedAuditor.GetAsync($"{P}/audit/records?action=auth.denied&objectId={Uri.EscapeDataString(secret + "X")}", Ct).ExpectAsync(200);
        Assert.Equal(2, missingProbes["items"]!.AsArray().Count);
        using var unclearedAuditor = factory.CreateClientFor("supervisor");
        var redacted = await unclearedAuditor.GetAsync($"{P}/audit/records?action=auth.denied&pageSize=1000", Ct).ExpectAsync(200);
        Assert.DoesNotContain(secret + "\"", redacted.ToJsonString(), StringComparison.Ordinal);

        // The cleared clerk may name it; too long a selection and an unknown kind are refused by rule.
        var cleared = factory.CreateClientFor("archivist", [agencyId], clearance: true);
        using (var ok = await cleared.GetAsync($"{P}/fonds/{fondsCode}/catalogue?kind=list&format=csv&fileCode={Uri.EscapeDataString(secret)}", Ct))
        {
            Assert.Equal(200, (int)ok.StatusCode);
        }

        var many = string.Join("&", Enumerable.Range(1, 101).Select(i => "fileCode=X." + i));
        var size = await clerk.GetAsync($"{P}/fonds/{fondsCode}/catalogue?kind=list&{many}", Ct).ExpectProblemAsync(422, "fileCode", "catalogue.selection-size");
        Assert.Contains("100", (string?)size["errors"]![0]!["message"], StringComparison.Ordinal);
        var kind = await clerk.GetAsync($"{P}/fonds/{fondsCode}/catalogue?kind=inventory", Ct).ExpectProblemAsync(400, "kind", "catalogue.kind");
        Assert.Contains("danh mục hồ sơ", (string?)kind["errors"]![0]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_document_catalogue_of_a_readable_file_is_printed_and_audited_and_a_secret_file_answers_404_like_a_missing_one()
    {
        var admin = factory.CreateClient();
        var (agencyId, fondsCode) = await SeedAsync(admin);
        var fileCode = await CreateRecordFileAsync(admin, fondsCode, "5.VB");
        var secret = await CreateRecordFileAsync(admin, fondsCode, "6.MAT", rights: "Secret");
        foreach (var (number, pages) in new[] { ("12", 2), ("13", 3) })
        {
            await admin.PostAsync($"{FileUrl(fileCode)}/documents", Json(new
            {
                typeName = "Quyết định", codeNumber = number, codeNotation = "QĐ-UBND", issuedDate = "2015-03-19", organName = "Ủy ban nhân dân tỉnh",
                subject = "Về việc sắp xếp tổ chức bộ máy", pageAmount = pages,
            }), Ct).ExpectAsync(201);
        }

        var clerk = factory.CreateClientFor("archivist", [agencyId], name: "Lê Thị Mục Lục");
        using var docx = await clerk.GetAsync($"{FileUrl(fileCode)}/document-catalogue?format=docx", Ct);
        Assert.Equal(200, (int)docx.StatusCode);
        Assert.Equal("2", docx.Headers.GetValues("Archive-Catalogue-Documents").Single());
        using (var word = WordprocessingDocument.Open(new MemoryStream(await docx.Content.ReadAsByteArrayAsync(Ct)), false))
        {
            Assert.Empty(new OpenXmlValidator().Validate(word, Ct));
            var text = word.MainDocumentPart!.Document!.InnerText;
            Assert.Contains("MỤC LỤC VĂN BẢN", text, StringComparison.Ordinal);
            Assert.Contains("12/QĐ-UBND", text, StringComparison.Ordinal);
            Assert.Contains("3-5", text, StringComparison.Ordinal); // the second document starts on sheet 3
        }

        var audit = await admin.GetAsync($"{P}/audit/records?objectType=document-catalogue&objectId={Uri.EscapeDataString(fileCode)}", Ct).ExpectAsync(200);
        var entry = Assert.Single(audit["items"]!.AsArray());
        Assert.Equal("Docx: 2 documents", (string?)entry!["detail"]);

        var hidden = await clerk.GetAsync($"{FileUrl(secret)}/document-catalogue", Ct).ExpectProblemAsync(404);
        var missing = await clerk.GetAsync($"{FileUrl(secret + "X")}/document-catalogue", Ct).ExpectProblemAsync(404);
        Assert.Equal((string?)hidden["title"], (string?)missing["title"]);
        Assert.Equal((string?)hidden["type"], (string?)missing["type"]);
        await clerk.GetAsync($"{FileUrl(fileCode)}/document-catalogue?format=pdf", Ct).ExpectProblemAsync(400, "format", "catalogue.format");
        var outsider = factory.CreateClientFor("archivist", [NewAgencyId()]);
        await outsider.GetAsync($"{FileUrl(fileCode)}/document-catalogue", Ct).ExpectProblemAsync(404);
    }

    private static string Errors(JsonNode problem) => problem["errors"]!.ToJsonString();
}
