"""The first version of each consent text, in the three languages (issue 19 point 5). The
data migration `borrowers.0007` stores them as version 1; a later wording is a new version
added by staff (or a migration), never an edit, so each acceptance keeps the words accepted.
Used again only to restore version 1 where the table was emptied (a flushed test database)."""

PROCESSING = "processing"
BUREAU = "bureau"
NOTIFICATIONS = "notifications"

INITIAL_TEXTS: dict[str, dict[str, str]] = {
    PROCESSING: {
        "ru": (
            "Я даю согласие платформе Finkelisim на сбор и обработку моих персональных данных "
            "(ИИН, ФИО, номер телефона, адрес электронной почты, данные документов и "
            "изображение лица для удалённой идентификации, сведения о моих займах и доходе) "
            "для идентификации, рассмотрения заявления о внесудебном урегулировании "
            "задолженности и исполнения единого графика, а также на передачу этих данных "
            "моим кредиторам, омбудсману и медиатору — только сторонам моего дела. Данные "
            "хранятся, пока идёт процедура и сколько требует закон. Согласие можно отозвать, "
            "когда у меня нет незавершённого дела."
        ),
        "kk": (
            "Мен Finkelisim платформасына менің дербес деректерімді (ЖСН, аты-жөні, телефон "
            "нөмірі, электрондық пошта мекенжайы, қашықтан сәйкестендіруге арналған құжат "
            "деректері мен бет бейнесі, қарыздарым мен табысым туралы мәліметтер) "
            "сәйкестендіру, берешекті соттан тыс реттеу туралы өтінішті қарау және бірыңғай "
            "кестені орындау үшін жинауға және өңдеуге, сондай-ақ бұл деректерді тек менің "
            "ісімнің тараптарына — кредиторларыма, омбудсманға және медиаторға беруге келісім "
            "беремін. Деректер рәсім жүріп жатқанда және заң талап ететін мерзім ішінде "
            "сақталады. Аяқталмаған ісім болмаған кезде келісімді кері қайтарып алуға болады."
        ),
        "en": (
            "I consent to the Finkelisim platform collecting and processing my personal data "
            "(IIN, full name, phone number, email, document data and face image for remote "
            "identification, data on my loans and income) to identify me, to consider my "
            "application for the out-of-court resolution of my debts and to carry out the "
            "unified schedule, and to sharing these data with my creditors, the ombudsman and "
            "the mediator, the parties of my case only. The data are kept while the procedure "
            "runs and as long as the law requires. I may withdraw this consent when I have no "
            "case in progress."
        ),
    },
    BUREAU: {
        "ru": (
            "Я даю согласие на получение платформой Finkelisim моего кредитного отчёта в "
            "Первом кредитном бюро и сведений о моём социальном статусе из государственных "
            "баз данных для проверки условий участия, а также на передачу в кредитное бюро "
            "сведений о начале, завершении или прекращении процедуры по моим займам. Согласие "
            "действует, пока идёт моё дело, и может быть отозвано после его завершения."
        ),
        "kk": (
            "Мен Finkelisim платформасының қатысу шарттарын тексеру үшін Бірінші кредиттік "
            "бюродан менің кредиттік есебімді және мемлекеттік дерекқорлардан әлеуметтік "
            "мәртебем туралы мәліметтерді алуына, сондай-ақ кредиттік бюроға менің "
            "қарыздарым бойынша рәсімнің басталғаны, аяқталғаны немесе тоқтатылғаны туралы "
            "мәліметтерді беруіне келісім беремін. Келісім ісім жүріп жатқанда қолданылады "
            "және ол аяқталғаннан кейін кері қайтарып алынуы мүмкін."
        ),
        "en": (
            "I consent to the Finkelisim platform requesting my credit report from the First "
            "Credit Bureau and my social status from government data to check the conditions "
            "of the procedure, and to reporting the start, completion or end of the procedure "
            "on my loans to the credit bureau. The consent holds while my case is in progress "
            "and may be withdrawn after it ends."
        ),
    },
    NOTIFICATIONS: {
        "ru": (
            "Я согласен получать SMS и письма с напоминаниями о предстоящих платежах (за 7, 3 "
            "и 1 день) и о готовности ежемесячной выписки. Согласие можно отозвать в любое "
            "время на странице «Мои согласия»; уведомления, которые платформа обязана "
            "направить по закону (о документах, пропущенном платеже, завершении процедуры), "
            "приходят и без него."
        ),
        "kk": (
            "Мен алдағы төлемдер туралы (7, 3 және 1 күн бұрын) және ай сайынғы үзінді "
            "көшірменің дайын екені туралы еске салатын SMS пен хаттарды алуға келісемін. "
            "Келісімді «Менің келісімдерім» бетінде кез келген уақытта кері қайтарып алуға "
            "болады; платформа заң бойынша жіберуге міндетті хабарламалар (құжаттар, "
            "өткізіп алған төлем, рәсімнің аяқталуы туралы) онсыз да келеді."
        ),
        "en": (
            "I agree to receive SMS and email reminders of upcoming payments (7, 3 and 1 days "
            "before) and of my monthly statement being ready. I may withdraw this consent at "
            "any time on the My consents page; the notices the platform must send by law "
            "(documents, a missed payment, the end of the procedure) come without it."
        ),
    },
}
