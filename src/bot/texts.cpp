#include "bot/texts.hpp"

namespace nc::bot {
namespace {

constexpr Texts kRussian{
    .welcome = "👋 Привет! Я делаю короткие вертикальные видео (Reels) для карточек товаров "
               "на маркетплейсах: пришли фото товара — получишь готовые ролики.",
    .menu = "Главное меню. Что делаем?",
    .button_make_reels = "🎬 Сделать Reels",
    .button_balance = "💰 Баланс",
    .button_history = "📜 Мои видео",
    .button_help = "❓ Помощь",
    .help = "Как это работает:\n1. Нажми «🎬 Сделать Reels» и пришли фото товара.\n"
            "2. Опиши товар: название и 2–3 главных преимущества.\n"
            "3. Выбери формат видео и напиши пожелания.\n"
            "4. Выбери, сколько видео сделать (1, 3 или 5), и подтверди.\n"
            "Одно видео стоит 1 кредит; если видео не получилось, кредит возвращается.\n\n"
            "Команды: /start — меню, /balance — баланс, /history — мои видео, "
            "/cancel — отменить текущий шаг, /help — эта справка.",
    .ask_photo = "Пришли фото товара 📸",
    .ask_product = "Опиши товар: название и 2–3 главных преимущества.",
    .choose_template = "Выбери формат видео:",
    .ask_wishes = "Есть пожелания к видео? Напиши их или нажми «Пропустить».",
    .ask_wishes_self = "Опиши сцену, которую хочешь увидеть в видео (или нажми «Пропустить» — "
                       "тогда сделаю эффектную демонстрацию товара).",
    .button_skip = "Пропустить",
    .ask_count = "Сколько видео сделать?",
    .summary = "Проверим заказ:\n📦 Товар: {product}\n🎞 Формат: {template}\n💬 Пожелания: "
               "{wishes}\n🔢 Видео: {count}",
    .no_wishes = "нет",
    .cost_line = "Стоимость: {cost} кр. Баланс: {balance} кр.",
    .button_launch = "✅ Запустить",
    .button_cancel = "✖️ Отмена",
    .launched = "🚀 Запустил генерацию {count} видео… Пришлю каждое, как только будет готово.",
    .not_enough = "Не хватает кредитов: нужно {needed}, на балансе {balance}. Выбери меньше "
                  "видео или пополни баланс.",
    .cancelled = "Отменено. Возвращаю в меню.",
    .hint_photo = "Нужна фотография товара: пришли фото (или картинку файлом: JPEG, PNG, WebP).",
    .hint_photo_too_small = "Фото слишком маленькое: нужно не меньше 512 пикселей по короткой "
                            "стороне. Пришли фото получше.",
    .hint_photo_too_large = "Файл больше 20 МБ — такой Telegram не даёт скачать. Пришли фото "
                            "поменьше.",
    .hint_photo_format = "Этот формат не подходит: пришли фото в JPEG, PNG или WebP.",
    .hint_photo_broken = "Не получается открыть это изображение — похоже, файл повреждён. "
                         "Пришли другое фото.",
    .hint_photo_download = "Не удалось скачать фото из Telegram. Пришли его ещё раз.",
    .hint_product = "Напиши текстом: название товара и 2–3 главных преимущества.",
    .hint_text_too_long = "Слишком длинно: максимум {limit} символов. Сократи, пожалуйста.",
    .hint_template = "Выбери формат кнопкой под сообщением «Выбери формат видео:».",
    .hint_wishes = "Напиши пожелания текстом или нажми «Пропустить».",
    .hint_count = "Выбери количество кнопкой: 1, 3 или 5.",
    .hint_confirm = "Нажми «✅ Запустить» или «✖️ Отмена».",
    .hint_menu = "Выбери действие в меню или нажми /start.",
    .hint_stale_button = "Эта кнопка уже неактуальна.",
    .hint_unknown_command = "Не знаю такой команды. Доступны: /start, /balance, /history, "
                            "/cancel, /help.",
    .balance = "💰 Баланс: {balance} кр. Одно видео — 1 кредит.",
    .history_empty = "Видео пока нет. Нажми «🎬 Сделать Reels», чтобы сделать первое.",
    .history_title = "📜 Последние видео:",
    .history_line = "{index}. {status} — {template}, {date}",
    .button_resend = "📤 Прислать №{index}",
    .resend_missing = "Это видео больше недоступно.",
    .video_ready = "✅ Видео готово!",
    .video_ready_of = "✅ Видео готово! ({index}/{count})",
    .button_retry_same = "🔄 Сделать ещё с этим товаром",
    .button_back_to_menu = "🏠 Вернуться в меню",
    .failed = "😔 Не получилось сделать видео: {reason}",
    .refund_note = "Кредит возвращён на баланс.",
    .admin_stats = "📊 Пользователей: {users}\nВ очереди: {queued}, в работе: {active}\n"
                   "Готово: {done}, ошибок: {failed}\nКредитов на балансах: {credits}",
    .admin_grant_usage = "Использование: /grant <tg_id> <n>",
    .admin_granted = "Начислено {amount} кр. пользователю {user}. Баланс: {balance} кр.",
    .admin_grant_limit =
        "Не начислено: баланс пользователя {user} ({balance} кр.) превысил бы предел {limit} кр.",
    .admin_unknown_user = "Пользователь {user} не найден: он должен сначала написать боту.",
    .status_queued = "⏳ в очереди",
    .status_working = "⚙️ в работе",
    .status_done = "✅ готово",
    .status_failed = "😔 ошибка",
    .status_cancelled = "✖️ отменено",
    .button_top_up = "💳 Пополнить",
    .button_pack = "{credits} кр. — {stars} ⭐",
    .top_up_choose = "💳 Выбери пакет кредитов. Оплата — звёздами Telegram ⭐",
    .top_ups_off = "Пополнение пока недоступно. Вопросы по оплате — /paysupport.",
    .pack_not_sold = "Этот пакет больше не продаётся.",
    .invoice_title = "Кредиты NeuroCards: {credits}",
    .invoice_description =
        "Пакет из {credits} кредитов для видео NeuroCards. Кредиты зачисляются "
        "сразу после оплаты; если видео не получилось, кредит возвращается.",
    .invoice_label = "{credits} кр.",
    .pre_checkout_stale = "Этот счёт устарел. Открой «💳 Пополнить» и выбери пакет заново.",
    .pre_checkout_not_sold =
        "Этот пакет больше не продаётся. Открой «💳 Пополнить» и выбери "
        "другой.",
    .pre_checkout_failed = "Не удалось проверить счёт. Попробуй оплатить ещё раз через минуту.",
    .receipt = "✅ Оплата получена: +{credits} кр. за {stars} ⭐. Баланс: {balance} кр.",
    .payment_unmatched =
        "Оплата получена, но я не нашёл этот счёт. Напиши /paysupport — "
        "оператор проверит платёж и начислит кредиты.",
    .paysupport =
        "💬 Поддержка по оплатам: опиши проблему в ответном сообщении и укажи дату и "
        "сумму платежа — оператор ответит в течение суток. Каждый платёж учтён: "
        "если кредиты не пришли, их начислят или вернут звёзды.",
    .terms =
        "📄 Условия: кредиты покупаются за звёзды Telegram и тратятся на видео (цена видео "
        "указана перед запуском). Если видео не получилось, кредит возвращается на баланс "
        "автоматически. Звёзды за неизрасходованные кредиты можно вернуть по запросу в "
        "/paysupport.",
    .promo_usage = "Пришли промокод так: /promo КОД",
    .promo_redeemed = "🎁 Промокод принят: +{credits} кр. Баланс: {balance} кр.",
    .promo_unknown = "Такого промокода нет. Проверь, как он написан.",
    .promo_used_up = "Этот промокод уже закончился.",
    .promo_expired = "Срок действия этого промокода истёк.",
    .promo_already_used = "Ты уже использовал этот промокод.",
};

constexpr Texts kEnglish{
    .welcome = "👋 Hi! I make short vertical videos (Reels) for marketplace product cards: send "
               "a product photo and get ready-made clips.",
    .menu = "Main menu. What shall we do?",
    .button_make_reels = "🎬 Make Reels",
    .button_balance = "💰 Balance",
    .button_history = "📜 My videos",
    .button_help = "❓ Help",
    .help = "How it works:\n1. Tap «🎬 Make Reels» and send a product photo.\n"
            "2. Describe the product: its name and 2–3 key benefits.\n"
            "3. Pick a video format and add your wishes.\n"
            "4. Choose how many videos (1, 3 or 5) and confirm.\n"
            "One video costs 1 credit; if a video fails, the credit comes back.\n\n"
            "Commands: /start — menu, /balance — balance, /history — my videos, "
            "/cancel — cancel the current step, /help — this help.",
    .ask_photo = "Send a photo of the product 📸",
    .ask_product = "Describe the product: its name and 2–3 key benefits.",
    .choose_template = "Choose the video format:",
    .ask_wishes = "Any wishes for the video? Write them or tap «Skip».",
    .ask_wishes_self = "Describe the scene you want in the video (or tap «Skip» for a striking "
                       "product showcase).",
    .button_skip = "Skip",
    .ask_count = "How many videos shall I make?",
    .summary = "Let's check the order:\n📦 Product: {product}\n🎞 Format: {template}\n💬 Wishes: "
               "{wishes}\n🔢 Videos: {count}",
    .no_wishes = "none",
    .cost_line = "Cost: {cost} cr. Balance: {balance} cr.",
    .button_launch = "✅ Launch",
    .button_cancel = "✖️ Cancel",
    .launched = "🚀 Started generating {count} video(s)… I'll send each one as soon as it's "
                "ready.",
    .not_enough = "Not enough credits: {needed} needed, {balance} on your balance. Choose fewer "
                  "videos or top up.",
    .cancelled = "Cancelled. Back to the menu.",
    .hint_photo = "I need a product photo: send a photo (or an image as a file: JPEG, PNG, WebP).",
    .hint_photo_too_small = "The photo is too small: at least 512 pixels on the short side, "
                            "please. Send a better one.",
    .hint_photo_too_large = "The file is over 20 MB, which Telegram won't let me download. Send "
                            "a smaller photo.",
    .hint_photo_format = "That format won't work: send a JPEG, PNG or WebP photo.",
    .hint_photo_broken = "I can't open that image — the file looks damaged. Send another photo.",
    .hint_photo_download = "I couldn't download the photo from Telegram. Please send it again.",
    .hint_product = "Write it as text: the product's name and 2–3 key benefits.",
    .hint_text_too_long = "Too long: {limit} characters at most. Please shorten it.",
    .hint_template = "Pick a format with a button under «Choose the video format:».",
    .hint_wishes = "Write your wishes as text or tap «Skip».",
    .hint_count = "Choose the number with a button: 1, 3 or 5.",
    .hint_confirm = "Tap «✅ Launch» or «✖️ Cancel».",
    .hint_menu = "Pick an action in the menu or send /start.",
    .hint_stale_button = "This button is no longer active.",
    .hint_unknown_command = "I don't know that command. Try /start, /balance, /history, "
                            "/cancel, /help.",
    .balance = "💰 Balance: {balance} cr. One video costs 1 credit.",
    .history_empty = "No videos yet. Tap «🎬 Make Reels» to make the first one.",
    .history_title = "📜 Latest videos:",
    .history_line = "{index}. {status} — {template}, {date}",
    .button_resend = "📤 Send #{index}",
    .resend_missing = "That video is no longer available.",
    .video_ready = "✅ Your video is ready!",
    .video_ready_of = "✅ Your video is ready! ({index}/{count})",
    .button_retry_same = "🔄 Make another with this product",
    .button_back_to_menu = "🏠 Back to menu",
    .failed = "😔 The video could not be made: {reason}",
    .refund_note = "The credit is back on your balance.",
    .admin_stats = "📊 Users: {users}\nQueued: {queued}, in progress: {active}\n"
                   "Done: {done}, failed: {failed}\nCredits on balances: {credits}",
    .admin_grant_usage = "Usage: /grant <tg_id> <n>",
    .admin_granted = "Granted {amount} cr. to user {user}. Balance: {balance} cr.",
    .admin_grant_limit =
        "Not granted: the balance of user {user} ({balance} cr.) would pass the limit of {limit} cr.",
    .admin_unknown_user = "User {user} not found: they must message the bot first.",
    .status_queued = "⏳ queued",
    .status_working = "⚙️ in progress",
    .status_done = "✅ done",
    .status_failed = "😔 failed",
    .status_cancelled = "✖️ cancelled",
    .button_top_up = "💳 Top up",
    .button_pack = "{credits} cr. — {stars} ⭐",
    .top_up_choose = "💳 Choose a credit pack. Paid with Telegram Stars ⭐",
    .top_ups_off = "Top-ups are not available yet. Payment questions: /paysupport.",
    .pack_not_sold = "This pack is no longer sold.",
    .invoice_title = "NeuroCards credits: {credits}",
    .invoice_description =
        "A pack of {credits} credits for NeuroCards videos. The credits arrive "
        "right after payment; a video that fails gives its credit back.",
    .invoice_label = "{credits} cr.",
    .pre_checkout_stale = "This invoice is out of date. Open «💳 Top up» and choose a pack again.",
    .pre_checkout_not_sold = "This pack is no longer sold. Open «💳 Top up» and choose another.",
    .pre_checkout_failed = "The invoice could not be checked. Please try to pay again in a minute.",
    .receipt = "✅ Payment received: +{credits} cr. for {stars} ⭐. Balance: {balance} cr.",
    .payment_unmatched =
        "Payment received, but I could not find this invoice. Write /paysupport: "
        "the operator will check the payment and add the credits.",
    .paysupport =
        "💬 Payment support: describe the problem in a reply with the date and amount "
        "of the payment; the operator answers within a day. Every payment is recorded: "
        "if credits did not arrive, they are added or the Stars are refunded.",
    .terms =
        "📄 Terms: credits are bought with Telegram Stars and spent on videos (a video's "
        "price is shown before it starts). A video that fails gives its credit back "
        "automatically. Stars for unspent credits are refunded on request via /paysupport.",
    .promo_usage = "Send a promo code like this: /promo CODE",
    .promo_redeemed = "🎁 Promo code accepted: +{credits} cr. Balance: {balance} cr.",
    .promo_unknown = "There is no such promo code. Check how it is spelled.",
    .promo_used_up = "This promo code has run out.",
    .promo_expired = "This promo code has expired.",
    .promo_already_used = "You have already used this promo code.",
};

}  // namespace

Language language_of(std::string_view language_code) {
  return language_code.starts_with("en") ? Language::kEn : Language::kRu;
}

std::string_view language_code(Language language) {
  return language == Language::kEn ? "en" : "ru";
}

const Texts& texts(Language language) {
  return language == Language::kEn ? kEnglish : kRussian;
}

}  // namespace nc::bot
