"""Word pools for generating plausible Chinese names of people, firms, companies and projects."""
from __future__ import annotations

import random

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红鹏辉建华建国志强晓东海燕丹宇浩然子涵"
    "欣怡梓轩思远雨桐博文一鸣俊杰嘉怡佳琪晨阳文博天宇雅婷子豪诗涵明轩"
)
FIRM_WORDS = ("正和", "衡信", "盛京", "明德", "华夏", "天合", "中正", "金诚", "海川", "恒远", "君合", "致远", "立信",
              "博达", "信达", "公诚", "泰和", "弘毅", "广源", "鼎元", "北方", "辽海", "滨海", "东方", "新华", "同德")
COMPANY_WORDS = ("华晨", "恒力", "北方", "东软", "辽港", "鞍钢", "兴隆", "瓦轴", "远洋", "星海", "金普", "长兴", "沈鼓",
                 "新松", "融创", "辽渔", "中荣", "宝来", "盛世", "龙腾", "嘉源", "万达", "福佳", "光大", "明珠", "海创")
PROJECT_WORDS = {
    "manufacturing": ("智能装备产业园", "新能源汽车零部件", "高端数控机床", "工业机器人生产基地", "轴承扩产"),
    "petrochemical": ("炼化一体化", "精细化工新材料", "石化产业园", "乙烯裂解装置"),
    "logistics": ("港口物流园", "冷链物流中心", "跨境电商仓储", "铁海联运枢纽"),
    "energy": ("海上风电", "光伏发电", "氢能产业园", "储能电站", "核电配套"),
    "digital": ("数据中心", "工业互联网平台", "软件园", "人工智能创新中心"),
    "biomedicine": ("生物医药产业园", "创新药研发中心", "医疗器械生产基地"),
    "agriculture": ("现代农业示范区", "海参养殖基地", "粮食深加工", "设施农业"),
    "tourism": ("滨海文旅小镇", "温泉度假区", "冰雪旅游综合体", "工业遗产文创园"),
    "finance": ("金融商务区", "国际贸易中心", "保税展示交易中心"),
    "infrastructure": ("城市更新", "轨道交通", "地下综合管廊", "高速公路改扩建"),
}
FOREIGN_INVESTORS = {
    "ko": ("Hanil Materials", "Daesung Logistics", "Seorin Energy", "Mirae Components"),
    "ja": ("Kitamura Seiki", "Tokai Chemical", "Aozora Foods", "Shinwa Robotics"),
    "ru": ("Baikal Trade", "Amur Energy", "Volga Machinery"),
    "en": ("Northbridge Capital", "Harbor Point Logistics", "Greenfield BioPharma", "Atlas Wind"),
}


def person(rng: random.Random) -> str:
    """A Chinese full name."""
    given = rng.choice(GIVEN)
    if rng.random() < 0.6:
        given += rng.choice(GIVEN)
    return rng.choice(SURNAMES) + given[:2]


def mobile(rng: random.Random) -> str:
    """A valid mainland mobile number in E.164."""
    prefix = rng.choice(("138", "139", "135", "136", "137", "150", "151", "152", "158", "159", "186", "187", "188"))
    return "+86" + prefix + f"{rng.randrange(10**8):08d}"
