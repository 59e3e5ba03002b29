using System.Text;

namespace Archive.Bench;

/// <summary>Deterministic Vietnamese administrative text for generated records and PDFs (seeded, so reruns match).</summary>
internal static class BenchText
{
    private static readonly string[] Subjects =
    [
        "sắp xếp tổ chức bộ máy", "tuyển dụng công chức cấp xã", "nâng bậc lương thường xuyên", "thi đua khen thưởng năm",
        "cải cách thủ tục hành chính", "chuyển đổi số trong cơ quan nhà nước", "quản lý hồ sơ tài liệu điện tử",
        "bồi dưỡng nghiệp vụ văn thư lưu trữ", "kiểm tra công tác lưu trữ", "thu hồi đất để xây dựng trường học",
        "giải quyết khiếu nại của công dân", "phòng chống thiên tai và tìm kiếm cứu nạn", "đầu tư xây dựng trạm y tế xã",
        "hợp nhất đơn vị hành chính cấp xã", "điều động, bổ nhiệm cán bộ lãnh đạo", "phân bổ dự toán ngân sách nhà nước",
    ];

    private static readonly string[] Types = ["Công văn", "Quyết định", "Báo cáo", "Tờ trình", "Kế hoạch", "Thông báo", "Biên bản", "Hợp đồng"];

    private static readonly string[] Keywords = ["tổ chức", "bộ máy", "nhân sự", "lưu trữ", "ngân sách", "đất đai", "y tế", "giáo dục", "khen thưởng", "hành chính"];

    private static readonly string[] Sentences =
    [
        "Căn cứ Luật Lưu trữ ngày 21 tháng 6 năm 2024 và các văn bản hướng dẫn thi hành.",
        "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về việc {0}, Sở Nội vụ báo cáo kết quả như sau.",
        "Các cơ quan, đơn vị có trách nhiệm lập hồ sơ công việc và nộp lưu hồ sơ vào Lưu trữ cơ quan đúng thời hạn.",
        "Việc {0} được triển khai đồng bộ, bảo đảm đúng quy định của pháp luật, công khai, minh bạch.",
        "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, đề nghị các đơn vị phản ánh kịp thời về Sở Nội vụ để tổng hợp.",
        "Giao Chánh Văn phòng chủ trì, phối hợp với các phòng chuyên môn hướng dẫn, đôn đốc, kiểm tra việc thực hiện.",
        "Tài liệu có giá trị lưu trữ vĩnh viễn phải được chỉnh lý hoàn chỉnh trước khi giao nộp vào Lưu trữ lịch sử.",
        "Kinh phí thực hiện được bố trí từ nguồn ngân sách nhà nước theo phân cấp hiện hành và các nguồn hợp pháp khác.",
        "Ủy ban nhân dân các huyện, thị xã, thành phố chỉ đạo Ủy ban nhân dân cấp xã rà soát, thống kê số lượng hồ sơ.",
        "Kết quả kiểm tra cho thấy phần lớn đơn vị đã bố trí kho lưu trữ, trang thiết bị bảo quản tài liệu theo tiêu chuẩn.",
        "Một số nơi còn để tài liệu tích đống, chưa được phân loại, lập hồ sơ; cơ sở dữ liệu hồ sơ điện tử chưa được cập nhật.",
        "Đề nghị Thủ trưởng các cơ quan, đơn vị quan tâm chỉ đạo, tổ chức thực hiện nghiêm túc nội dung công văn này.",
        "Quyết định này có hiệu lực kể từ ngày ký; các quy định trước đây trái với Quyết định này đều bãi bỏ.",
        "Hồ sơ gồm: tờ trình, dự thảo quyết định, báo cáo thẩm định, ý kiến của các sở, ngành liên quan.",
        "Đồng chí Phó Giám đốc phụ trách lĩnh vực được giao theo dõi, đôn đốc và báo cáo Giám đốc theo định kỳ hằng quý.",
        "Thời gian bảo quản hồ sơ được xác định theo Bảng thời hạn bảo quản hồ sơ, tài liệu phổ biến do Bộ Nội vụ ban hành.",
    ];

    public static string Title(Random rng) => $"Hồ sơ về việc {Subjects[rng.Next(Subjects.Length)]} năm {2000 + rng.Next(25)}";

    public static string DocumentType(Random rng) => Types[rng.Next(Types.Length)];

    public static string Keyword(Random rng) => Keywords[rng.Next(Keywords.Length)];

    public static string Subject(Random rng) => Subjects[rng.Next(Subjects.Length)];

    public static string Sentence(Random rng) => string.Format(System.Globalization.CultureInfo.InvariantCulture, Sentences[rng.Next(Sentences.Length)], Subject(rng));

    /// <summary>About <paramref name="chars"/> characters of running text (whole sentences).</summary>
    public static string Paragraphs(Random rng, int chars)
    {
        var sb = new StringBuilder(chars + 200);
        while (sb.Length < chars)
        {
            sb.Append(Sentence(rng)).Append(' ');
        }

        return sb.ToString().TrimEnd();
    }

    /// <summary>Queries drawn from the same vocabulary (with and without diacritics).</summary>
    public static string Query(Random rng)
    {
        var s = Subject(rng);
        var words = s.Split(' ');
        var start = rng.Next(Math.Max(1, words.Length - 1));
        var q = string.Join(' ', words.Skip(start).Take(2));
        return rng.Next(2) == 0 ? q : Archive.Search.Lucene.Analysis.VietnameseText.Fold(q);
    }
}
