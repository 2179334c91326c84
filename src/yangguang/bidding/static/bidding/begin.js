// The buyer side's hand start of an opening whose deadline step did not run (index page).
import { call, say } from "./api.js";

const zh = document.documentElement.lang.startsWith("zh");
const t = (zhText, enText) => (zh ? zhText : enText);

for (const button of document.querySelectorAll("button[data-begin]")) {
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const out = await call("POST", `/procedures/${button.dataset.begin}/open`);
      say(out.status === "failed" ? t("递交的投标少于法定家数，项目已失败", "Fewer bids than required: the procedure failed")
        : t(`开标已开始：${out.openings.length} 个标段`, `Opening started: ${out.openings.length} lot(s)`));
      setTimeout(() => location.reload(), 800);
    } catch (error) {
      say(error.message, true);
      button.disabled = false;
    }
  });
}
